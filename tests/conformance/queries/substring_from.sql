-- conformance: SUBSTRING(s, 3) without length
SELECT id, SUBSTRING(note, 3) AS s FROM trades
