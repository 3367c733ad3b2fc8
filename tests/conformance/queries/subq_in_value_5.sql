-- conformance: IN / NOT IN (subquery) as values (three-valued): SELECT symbol FROM dim WHERE 1 = 0
-- requires: subqueries
SELECT id, symbol IN (SELECT symbol FROM dim WHERE 1 = 0) AS a, symbol NOT IN (SELECT symbol FROM dim WHERE 1 = 0) AS b FROM trades
