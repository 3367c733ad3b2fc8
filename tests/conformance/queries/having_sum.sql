-- conformance: HAVING on SUM(DECIMAL)
-- requires: aggregation
SELECT symbol, SUM(price) AS s FROM trades GROUP BY symbol HAVING SUM(price) > 1000000
