-- conformance: AVG of negative DECIMAL
-- requires: aggregation
SELECT AVG(price) AS a FROM trades WHERE price < 0
