-- conformance: HAVING on AVG
-- requires: aggregation
SELECT side, AVG(qty) AS a FROM trades GROUP BY side HAVING AVG(qty) > 100
