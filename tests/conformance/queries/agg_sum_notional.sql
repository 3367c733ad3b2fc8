-- conformance: SUM of DECIMAL products
-- requires: aggregation
SELECT SUM(price * qty) AS s FROM trades
