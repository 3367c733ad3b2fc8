-- conformance: correlated NOT EXISTS against a bounded stream
-- requires: subqueries
SELECT id FROM trades t WHERE NOT EXISTS (SELECT 1 FROM trades_json j WHERE j.id = t.id AND j.qty = t.qty)
