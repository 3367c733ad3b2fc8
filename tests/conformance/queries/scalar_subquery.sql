-- conformance: scalar subquery
-- requires: subqueries
SELECT id, price - (SELECT MAX(weight) FROM dim) AS x FROM trades
