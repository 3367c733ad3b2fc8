-- conformance: DECIMAL * literal
SELECT id, price * 1.10 AS a, fee * 0.5 AS b, price * -2 AS c FROM trades
