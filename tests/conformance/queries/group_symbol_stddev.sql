-- conformance: GROUP BY symbol STDDEV
-- requires: aggregation
SELECT symbol, STDDEV(qty) AS s, STDDEV_POP(fee) AS p FROM trades GROUP BY symbol
