-- conformance: correlated scalar MAX in the select list of a GROUP BY query (reads a key)
-- requires: subqueries
SELECT symbol, COUNT(*) AS n, (SELECT MAX(d.weight) FROM dim d WHERE d.symbol = t.symbol) AS w FROM trades t GROUP BY symbol
