-- conformance: WHERE on modulo
SELECT id FROM trades WHERE id % 17 = 3
