-- conformance: GROUP BY flag AVG
-- requires: aggregation
SELECT flag, AVG(qty) AS q, AVG(price) AS p FROM trades GROUP BY flag
