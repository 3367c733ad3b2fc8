-- conformance: HAVING on COUNT
-- requires: aggregation
SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol HAVING COUNT(*) > 480
