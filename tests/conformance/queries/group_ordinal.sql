-- conformance: GROUP BY ordinal
-- requires: aggregation
SELECT symbol, COUNT(*) AS n FROM trades GROUP BY 1
