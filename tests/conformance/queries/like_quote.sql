-- conformance: LIKE matching a double quote
SELECT id, note FROM trades WHERE note LIKE '%"%'
