-- conformance: GROUP BY side SUM of BIGINT and DECIMAL
-- requires: aggregation
SELECT side, SUM(qty) AS q, SUM(price) AS p, SUM(fee) AS f FROM trades GROUP BY side
