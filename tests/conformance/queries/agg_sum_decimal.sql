-- conformance: SUM(DECIMAL) is exact
-- requires: aggregation
SELECT SUM(price) AS sp, SUM(fee) AS sf FROM trades
