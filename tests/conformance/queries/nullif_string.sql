-- conformance: NULLIF on VARCHAR
SELECT id, NULLIF(note, '') AS n FROM trades
