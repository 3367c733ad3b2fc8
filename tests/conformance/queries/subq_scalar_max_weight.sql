-- conformance: scalar subquery MAX(weight) in SELECT
-- requires: subqueries
SELECT id, (SELECT MAX(weight) FROM dim) AS s FROM trades WHERE id < 1100
