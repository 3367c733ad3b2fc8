-- conformance: JOIN on TIMESTAMP equality
-- requires: joins
SELECT a.id AS a_id, b.id AS b_id FROM trades a JOIN trades_json b ON a.ts = b.ts WHERE a.id <> b.id
