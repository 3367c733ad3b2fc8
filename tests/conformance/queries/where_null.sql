-- conformance: WHERE NULL gives no rows
SELECT id FROM trades WHERE NULL
