-- conformance: COALESCE on VARCHAR
SELECT id, COALESCE(note, 'none') AS n FROM trades
