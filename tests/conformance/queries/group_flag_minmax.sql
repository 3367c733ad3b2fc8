-- conformance: GROUP BY flag MIN/MAX
-- requires: aggregation
SELECT flag, MIN(price) AS lo, MAX(price) AS hi, MIN(ts) AS t0, MAX(ts) AS t1 FROM trades GROUP BY flag
