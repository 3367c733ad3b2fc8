-- conformance: || with empty strings
SELECT id, '' || note || '' AS n FROM trades WHERE note = ''
