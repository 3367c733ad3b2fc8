-- conformance: GROUP BY side MEDIAN
-- requires: aggregation
SELECT side, MEDIAN(qty) AS mq, MEDIAN(fee) AS mf FROM trades GROUP BY side
