-- conformance: WHERE NOT on a BOOLEAN column
SELECT id FROM trades WHERE NOT flag
