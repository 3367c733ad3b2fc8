-- conformance: SUBSTRING with start 0
SELECT id, SUBSTRING(symbol, 0, 2) AS s FROM trades
