-- conformance: NOT NULL is NULL
SELECT id, NOT flag AS a, NOT (price > 100) AS b FROM trades
