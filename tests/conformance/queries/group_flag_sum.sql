-- conformance: GROUP BY flag SUM of BIGINT and DECIMAL
-- requires: aggregation
SELECT flag, SUM(qty) AS q, SUM(price) AS p, SUM(fee) AS f FROM trades GROUP BY flag
