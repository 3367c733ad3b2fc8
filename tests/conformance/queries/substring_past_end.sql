-- conformance: SUBSTRING past the end is empty
SELECT id, SUBSTRING(symbol, 10, 3) AS s FROM trades
