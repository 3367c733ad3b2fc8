-- conformance: TRIM keeps Unicode letters
SELECT id, TRIM(symbol) AS t FROM trades
