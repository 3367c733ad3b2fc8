-- conformance: scalar subquery SUM(weight) in SELECT
-- requires: subqueries
SELECT id, (SELECT SUM(weight) FROM dim) AS s FROM trades WHERE id < 1100
