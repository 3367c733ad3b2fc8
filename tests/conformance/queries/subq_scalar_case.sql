-- conformance: scalar subqueries in CASE branches
-- requires: subqueries
SELECT id, CASE WHEN qty > (SELECT AVG(qty) FROM trades_json) THEN 'big' ELSE 'small' END AS k FROM trades
