-- conformance: NOT IN (subquery) in WHERE (NULL semantics): SELECT symbol FROM dim WHERE 1 = 0
-- requires: subqueries
SELECT id, symbol AS v FROM trades WHERE symbol NOT IN (SELECT symbol FROM dim WHERE 1 = 0)
