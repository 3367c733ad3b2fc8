-- conformance: AVG(BIGINT) is DOUBLE
-- requires: aggregation
SELECT AVG(qty) AS a FROM trades
