-- conformance: empty string is not NULL
SELECT id, note FROM trades WHERE note = ''
