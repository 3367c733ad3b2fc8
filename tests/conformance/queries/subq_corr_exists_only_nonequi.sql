-- conformance: correlated EXISTS with only a non-equality (nested loop)
-- requires: subqueries
SELECT symbol FROM dim a WHERE EXISTS (SELECT 1 FROM dim b WHERE b.weight > a.weight)
