-- conformance: WHERE on BIGINT arithmetic
SELECT id, qty FROM trades WHERE qty * 2 > 1500
