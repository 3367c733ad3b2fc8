-- conformance: correlated scalar in HAVING on two GROUP BY keys
-- requires: subqueries
SELECT symbol, side, SUM(qty) AS q FROM trades t GROUP BY symbol, side HAVING SUM(qty) > 2 * (SELECT MAX(j.qty) FROM trades_json j WHERE j.symbol = t.symbol AND j.side = t.side)
