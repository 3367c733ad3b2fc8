-- conformance: scalar subquery MIN(listed) in SELECT
-- requires: subqueries
SELECT id, (SELECT MIN(listed) FROM dim) AS s FROM trades WHERE id < 1100
