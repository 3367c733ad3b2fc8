-- conformance: IN (subquery) in WHERE: SELECT symbol FROM dim WHERE sector = 'tech'
-- requires: subqueries
SELECT id, symbol AS v FROM trades WHERE symbol IN (SELECT symbol FROM dim WHERE sector = 'tech')
