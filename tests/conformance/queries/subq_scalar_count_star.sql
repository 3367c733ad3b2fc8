-- conformance: scalar subquery COUNT(*) in SELECT
-- requires: subqueries
SELECT id, (SELECT COUNT(*) FROM dim) AS s FROM trades WHERE id < 1100
