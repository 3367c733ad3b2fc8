-- conformance: IN (subquery) in WHERE: SELECT symbol FROM dim WHERE 1 = 0
-- requires: subqueries
SELECT id, symbol AS v FROM trades WHERE symbol IN (SELECT symbol FROM dim WHERE 1 = 0)
