-- conformance: SUM of values near 10^12
-- requires: aggregation
SELECT SUM(price) AS s FROM trades WHERE price > 1000000
