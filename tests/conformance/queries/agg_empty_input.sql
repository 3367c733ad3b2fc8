-- conformance: aggregates over no rows
-- requires: aggregation
SELECT COUNT(*) AS n, SUM(qty) AS s, MIN(price) AS m, AVG(qty) AS a FROM trades WHERE FALSE
