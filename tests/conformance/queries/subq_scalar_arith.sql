-- conformance: scalar subquery in arithmetic
-- requires: subqueries
SELECT id, qty - (SELECT MIN(qty) FROM trades_json) AS d FROM trades
