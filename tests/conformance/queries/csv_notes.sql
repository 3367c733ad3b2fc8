-- conformance: special text round-trips from CSV
SELECT id, note, LENGTH(note) AS n FROM trades WHERE note LIKE '%"%' OR note LIKE '%,%' OR note = ''
