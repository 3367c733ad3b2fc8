-- conformance: correlated EXISTS inside CASE
-- requires: subqueries
SELECT id, CASE WHEN EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol) THEN 1 ELSE 0 END AS known FROM trades t
