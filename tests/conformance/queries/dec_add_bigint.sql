-- conformance: DECIMAL + BIGINT
SELECT id, price + qty AS a, qty - price AS b, price + 1 AS c FROM trades
