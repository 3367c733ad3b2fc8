-- conformance: correlated EXISTS against a bounded stream (self, other format)
-- requires: subqueries
SELECT id FROM trades t WHERE EXISTS (SELECT 1 FROM trades_json j WHERE j.id = t.id + 1 AND j.side = t.side)
