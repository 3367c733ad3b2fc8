-- conformance: STDDEV / STDDEV_POP / VARIANCE
-- requires: aggregation
SELECT STDDEV(qty) AS a, STDDEV_POP(qty) AS b, VARIANCE(qty) AS c, VAR_POP(qty) AS d FROM trades
