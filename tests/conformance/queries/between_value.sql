-- conformance: BETWEEN as a value with NULLs
SELECT id, price BETWEEN 0 AND 100 AS a FROM trades
