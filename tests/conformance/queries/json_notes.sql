-- conformance: special text round-trips from JSON lines
SELECT id, note, LENGTH(note) AS n FROM trades_json WHERE note LIKE '%"%' OR note LIKE '%,%' OR note = ''
