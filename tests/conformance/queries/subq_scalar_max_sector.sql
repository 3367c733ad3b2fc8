-- conformance: scalar subquery MAX(sector) in SELECT
-- requires: subqueries
SELECT id, (SELECT MAX(sector) FROM dim) AS s FROM trades WHERE id < 1100
