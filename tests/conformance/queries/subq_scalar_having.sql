-- conformance: scalar subquery in HAVING
-- requires: subqueries
SELECT symbol, SUM(qty) AS q FROM trades GROUP BY symbol HAVING SUM(qty) > (SELECT SUM(qty) / 20 FROM trades_json)
