-- conformance: MEDIAN(BIGINT)
-- requires: aggregation
SELECT MEDIAN(qty) AS m FROM trades
