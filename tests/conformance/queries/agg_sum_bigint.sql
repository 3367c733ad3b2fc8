-- conformance: SUM(BIGINT)
-- requires: aggregation
SELECT SUM(qty) AS s FROM trades
