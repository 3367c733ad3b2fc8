-- conformance: correlated EXISTS in the select list of a GROUP BY query
-- requires: subqueries
SELECT symbol, COUNT(*) AS n, EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol) AS known FROM trades t GROUP BY symbol
