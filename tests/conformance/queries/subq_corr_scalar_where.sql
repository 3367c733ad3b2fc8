-- conformance: correlated scalar subquery in WHERE
-- requires: subqueries
SELECT id FROM trades t WHERE t.qty > (SELECT AVG(j.qty) FROM trades_json j WHERE j.symbol = t.symbol)
