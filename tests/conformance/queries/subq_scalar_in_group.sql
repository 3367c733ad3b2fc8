-- conformance: scalar subquery in a GROUP BY query
-- requires: subqueries
SELECT side, COUNT(*) AS n, COUNT(*) * 100 / (SELECT COUNT(*) FROM trades_json) AS pct FROM trades GROUP BY side
