-- conformance: LIKE across a newline
SELECT id, note FROM trades WHERE note LIKE 'multi%line'
