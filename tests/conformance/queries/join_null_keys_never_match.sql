-- conformance: NULL keys never match (FULL keeps both rows)
-- requires: joins
SELECT a.id AS a_id, b.id AS b_id FROM trades a FULL JOIN trades_json b ON a.note = b.note AND a.id = b.id WHERE a.note IS NULL OR b.note IS NULL
