-- conformance: IN (subquery) in HAVING
-- requires: subqueries
SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol HAVING symbol IN (SELECT symbol FROM dim WHERE weight > 0)
