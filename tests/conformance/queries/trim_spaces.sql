-- conformance: TRIM removes leading and trailing spaces
SELECT id, TRIM(note) AS t, LENGTH(TRIM(note)) AS n FROM trades
