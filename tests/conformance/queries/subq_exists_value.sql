-- conformance: EXISTS as a value
-- requires: subqueries
SELECT id, EXISTS (SELECT 1 FROM dim WHERE sector = 'tech') AS e, NOT EXISTS (SELECT 1 FROM dim WHERE sector = 'nope') AS ne FROM trades WHERE id < 1020
