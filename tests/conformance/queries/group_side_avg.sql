-- conformance: GROUP BY side AVG
-- requires: aggregation
SELECT side, AVG(qty) AS q, AVG(price) AS p FROM trades GROUP BY side
