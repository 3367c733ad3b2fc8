-- conformance: DECIMAL + DECIMAL literal of another scale
SELECT id, price + 0.005 AS a, fee - 1.5 AS b, price + 100 AS c FROM trades
