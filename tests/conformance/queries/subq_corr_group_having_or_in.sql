-- conformance: correlated IN under OR in HAVING (mark join over the groups)
-- requires: subqueries
SELECT symbol, COUNT(*) AS n FROM trades t GROUP BY symbol HAVING COUNT(*) > 500 OR symbol IN (SELECT d.symbol FROM dim d WHERE d.symbol = t.symbol AND d.weight < 1)
