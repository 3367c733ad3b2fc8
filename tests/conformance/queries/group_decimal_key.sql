-- conformance: GROUP BY a DECIMAL key
-- requires: aggregation
SELECT price, COUNT(*) AS n FROM trades WHERE price < 1 GROUP BY price
