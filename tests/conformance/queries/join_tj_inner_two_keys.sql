-- conformance: JOIN on two equality keys
-- requires: joins
SELECT a.id AS a_id, b.id AS b_id FROM trades a JOIN trades_json b ON a.symbol = b.symbol AND a.id = b.id + 1 WHERE a.flag OR b.flag
