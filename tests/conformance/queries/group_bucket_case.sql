-- conformance: GROUP BY a CASE bucket
-- requires: aggregation
SELECT CASE WHEN price < 0 THEN 'neg' WHEN price < 100 THEN 'small' ELSE 'big' END AS b, COUNT(*) AS n, SUM(price) AS s FROM trades GROUP BY 1
