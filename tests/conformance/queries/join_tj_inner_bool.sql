-- conformance: JOIN on a BOOLEAN key and a range
-- requires: joins
SELECT a.id AS a_id, b.id AS b_id FROM trades a JOIN trades_json b ON a.flag = b.flag AND b.id BETWEEN a.id AND a.id + 2 WHERE a.id < 1100
