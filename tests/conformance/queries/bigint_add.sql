-- conformance: BIGINT addition with NULLs
SELECT id, qty + 1 AS a, qty + id AS b, -qty AS neg FROM trades
