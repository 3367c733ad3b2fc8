-- conformance: scalar subquery MIN(weight) in SELECT
-- requires: subqueries
SELECT id, (SELECT MIN(weight) FROM dim) AS s FROM trades WHERE id < 1100
