-- conformance: LENGTH in WHERE
SELECT id, note FROM trades WHERE LENGTH(note) > 8
