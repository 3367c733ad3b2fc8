-- conformance: HAVING keeping no group
-- requires: aggregation
SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol HAVING COUNT(*) > 100000
