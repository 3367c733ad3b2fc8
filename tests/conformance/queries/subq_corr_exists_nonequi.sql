-- conformance: correlated EXISTS with a non-equality correlation
-- requires: subqueries
SELECT id FROM trades t WHERE EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol AND d.weight * 1000 > t.qty)
