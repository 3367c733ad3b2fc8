-- conformance: GROUP BY flag STDDEV
-- requires: aggregation
SELECT flag, STDDEV(qty) AS s, STDDEV_POP(fee) AS p FROM trades GROUP BY flag
