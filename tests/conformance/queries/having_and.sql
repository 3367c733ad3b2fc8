-- conformance: HAVING with AND
-- requires: aggregation
SELECT symbol, side, COUNT(*) AS n FROM trades GROUP BY symbol, side HAVING COUNT(*) > 100 AND MIN(price) < 0
