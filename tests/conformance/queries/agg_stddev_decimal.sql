-- conformance: STDDEV_SAMP of DECIMAL
-- requires: aggregation
SELECT STDDEV_SAMP(fee) AS a, VAR_SAMP(fee) AS b FROM trades
