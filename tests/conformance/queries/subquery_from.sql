-- conformance: FROM (subquery)
-- requires: subqueries
SELECT x.id, x.n FROM (SELECT id, price * qty AS n FROM trades) x WHERE x.n > 100000
