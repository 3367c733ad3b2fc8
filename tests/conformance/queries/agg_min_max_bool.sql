-- conformance: MIN/MAX of BOOLEAN
-- requires: aggregation
SELECT MIN(flag) AS a, MAX(flag) AS b FROM trades
