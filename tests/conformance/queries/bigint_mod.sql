-- conformance: BIGINT % keeps the sign of the dividend
SELECT id, qty % 7 AS a, (0 - qty) % 7 AS b, id % 10 AS c FROM trades
