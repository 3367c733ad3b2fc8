-- conformance: GROUP BY SUM of products
-- requires: aggregation
SELECT symbol, SUM(price * qty) AS notional FROM trades GROUP BY symbol
