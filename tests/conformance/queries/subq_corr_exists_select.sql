-- conformance: correlated EXISTS as a select-list value
-- requires: subqueries
SELECT id, EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol AND d.weight > 1) AS heavy FROM trades t
