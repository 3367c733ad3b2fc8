-- conformance: WHERE FALSE gives no rows
SELECT id FROM trades WHERE FALSE
