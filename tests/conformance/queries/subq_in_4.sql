-- conformance: IN (subquery) in WHERE: SELECT symbol FROM dim WHERE weight IS NULL OR sector IS NULL
-- requires: subqueries
SELECT id, symbol AS v FROM trades WHERE symbol IN (SELECT symbol FROM dim WHERE weight IS NULL OR sector IS NULL)
