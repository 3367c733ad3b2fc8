-- conformance: two levels of FROM (subquery)
-- requires: subqueries
SELECT y.s, y.n FROM (SELECT x.symbol AS s, COUNT(*) AS n FROM (SELECT symbol FROM trades WHERE flag) x GROUP BY x.symbol) y WHERE y.n > 10
