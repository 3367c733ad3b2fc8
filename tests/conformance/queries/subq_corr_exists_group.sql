-- conformance: correlated EXISTS then GROUP BY
-- requires: subqueries
SELECT side, COUNT(*) AS n FROM trades t WHERE EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol AND d.weight > 0) GROUP BY side
