-- conformance: correlated EXISTS in HAVING (semi join over the groups)
-- requires: subqueries
SELECT symbol, COUNT(*) AS n FROM trades t GROUP BY symbol HAVING EXISTS (SELECT 1 FROM dim d WHERE d.symbol = t.symbol AND d.sector = 'tech')
