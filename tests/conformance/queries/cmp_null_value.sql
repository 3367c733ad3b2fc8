-- conformance: comparison with NULL as a value
SELECT id, qty > NULL AS a FROM trades
