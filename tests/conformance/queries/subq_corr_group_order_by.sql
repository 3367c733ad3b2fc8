-- conformance: correlated scalar in the ORDER BY of a GROUP BY query
-- requires: subqueries
SELECT symbol, COUNT(*) AS n FROM trades t GROUP BY symbol ORDER BY (SELECT MAX(d.weight) FROM dim d WHERE d.symbol = t.symbol) DESC NULLS LAST, symbol NULLS LAST
