-- conformance: NOT IN (subquery) in WHERE (NULL semantics): SELECT symbol FROM dim WHERE sector = 'tech'
-- requires: subqueries
SELECT id, symbol AS v FROM trades WHERE symbol NOT IN (SELECT symbol FROM dim WHERE sector = 'tech')
