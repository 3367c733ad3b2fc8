-- conformance: GROUP BY symbol MEDIAN
-- requires: aggregation
SELECT symbol, MEDIAN(qty) AS mq, MEDIAN(fee) AS mf FROM trades GROUP BY symbol
