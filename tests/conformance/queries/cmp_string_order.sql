-- conformance: VARCHAR ordering comparisons (binary UTF-8 order)
SELECT id, symbol < 'N' AS lt, symbol >= 'Zoë' AS ge FROM trades
