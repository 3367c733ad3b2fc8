-- conformance: correlated COUNT(*) in the select list of a GROUP BY query
-- requires: subqueries
SELECT symbol, SUM(qty) AS q, (SELECT COUNT(*) FROM dim d WHERE d.symbol = t.symbol) AS c FROM trades t GROUP BY symbol
