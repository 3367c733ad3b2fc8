-- conformance: correlated NOT EXISTS: the row with the largest weight
-- requires: subqueries
SELECT symbol FROM dim a WHERE NOT EXISTS (SELECT 1 FROM dim b WHERE b.weight > a.weight)
