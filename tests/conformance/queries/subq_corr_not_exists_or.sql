-- conformance: correlated NOT EXISTS under OR
-- requires: subqueries
SELECT id FROM trades t WHERE flag OR NOT EXISTS (SELECT 1 FROM trades_json j WHERE j.id = t.id + 1 AND j.side = t.side)
