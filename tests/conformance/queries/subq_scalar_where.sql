-- conformance: scalar subquery in WHERE
-- requires: subqueries
SELECT id, qty FROM trades WHERE qty > (SELECT AVG(qty) FROM trades_json)
