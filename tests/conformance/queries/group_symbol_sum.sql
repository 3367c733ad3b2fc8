-- conformance: GROUP BY symbol SUM of BIGINT and DECIMAL
-- requires: aggregation
SELECT symbol, SUM(qty) AS q, SUM(price) AS p, SUM(fee) AS f FROM trades GROUP BY symbol
