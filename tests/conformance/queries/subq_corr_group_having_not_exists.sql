-- conformance: correlated NOT EXISTS in HAVING (anti join over the groups)
-- requires: subqueries
SELECT symbol, COUNT(*) AS n FROM trades t GROUP BY symbol HAVING NOT EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol)
