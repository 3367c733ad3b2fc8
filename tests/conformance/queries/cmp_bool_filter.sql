-- conformance: WHERE on a BOOLEAN column
SELECT id FROM trades WHERE flag
