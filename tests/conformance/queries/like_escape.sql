-- conformance: LIKE with ESCAPE
SELECT id, note FROM trades WHERE note LIKE '%!_%' ESCAPE '!'
