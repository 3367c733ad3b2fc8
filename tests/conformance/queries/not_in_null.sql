-- conformance: NOT IN with a NULL in the list keeps no row
SELECT id FROM trades WHERE qty NOT IN (1, NULL)
