-- conformance: aggregates after WHERE
-- requires: aggregation
SELECT COUNT(*) AS n, SUM(price) AS s FROM trades WHERE price > 0 AND price < 1000
