-- conformance: COUNT(DISTINCT) with HAVING
-- requires: aggregation
SELECT symbol, COUNT(DISTINCT side) AS d FROM trades GROUP BY symbol HAVING COUNT(DISTINCT side) >= 3
