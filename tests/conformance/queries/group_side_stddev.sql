-- conformance: GROUP BY side STDDEV
-- requires: aggregation
SELECT side, STDDEV(qty) AS s, STDDEV_POP(fee) AS p FROM trades GROUP BY side
