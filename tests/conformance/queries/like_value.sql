-- conformance: LIKE as a value
SELECT id, symbol LIKE '%S%' AS a FROM trades
