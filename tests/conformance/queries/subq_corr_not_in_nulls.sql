-- conformance: correlated NOT IN whose sets hold NULLs (notes): NOT IN is NULL then
-- requires: subqueries
SELECT id FROM trades t WHERE t.note NOT IN (SELECT j.note FROM trades_json j WHERE j.symbol = t.symbol AND j.id < 1040)
