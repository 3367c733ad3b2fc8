-- conformance: GROUP BY flag MEDIAN
-- requires: aggregation
SELECT flag, MEDIAN(qty) AS mq, MEDIAN(fee) AS mf FROM trades GROUP BY flag
