-- conformance: LIKE escaping %
SELECT id, note FROM trades WHERE note LIKE '100!%%' ESCAPE '!'
