-- conformance: SUBSTRING(s, 2, 2) on Unicode
SELECT id, SUBSTRING(symbol, 2, 2) AS s FROM trades
