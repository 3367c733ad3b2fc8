-- conformance: BIGINT / BIGINT truncates toward zero
SELECT id, qty / 7 AS a, (0 - qty) / 7 AS b, id / 3 AS c FROM trades
