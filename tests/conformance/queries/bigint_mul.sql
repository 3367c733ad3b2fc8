-- conformance: BIGINT multiplication (incl. large qty)
SELECT id, qty * 3 AS a, qty * id AS b, qty * qty AS c FROM trades
