-- conformance: LOWER on non-ASCII text
SELECT id, LOWER(symbol) AS s FROM trades
