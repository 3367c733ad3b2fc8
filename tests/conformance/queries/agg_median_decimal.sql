-- conformance: MEDIAN(DECIMAL)
-- requires: aggregation
SELECT MEDIAN(price) AS m, MEDIAN(fee) AS f FROM trades
