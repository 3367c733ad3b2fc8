-- conformance: correlated EXISTS on two equalities
-- requires: subqueries
SELECT id FROM trades t WHERE EXISTS (SELECT 1 FROM trades_json j WHERE j.symbol = t.symbol AND j.id = t.id AND j.price > 0)
