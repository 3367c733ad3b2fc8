-- conformance: correlated NOT EXISTS with an uncorrelated filter inside
-- requires: subqueries
SELECT id FROM trades t WHERE NOT EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol AND d.weight > 0.5)
