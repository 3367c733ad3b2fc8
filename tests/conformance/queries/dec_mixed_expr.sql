-- conformance: mixed DECIMAL/BIGINT expression
SELECT id, (price - fee) * qty + 1 AS a FROM trades WHERE qty < 1000
