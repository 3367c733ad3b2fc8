-- conformance: SUBSTR spelling
SELECT id, SUBSTR(note, 1, 4) AS s FROM trades
