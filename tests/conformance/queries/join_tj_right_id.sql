-- conformance: RIGHT JOIN trades x trades_json on id (self join across formats)
-- requires: joins
SELECT a.id AS a_id, b.id AS b_id, b.note FROM trades a RIGHT JOIN trades_json b ON a.id = b.id WHERE a.qty = 0 OR b.qty = 0
