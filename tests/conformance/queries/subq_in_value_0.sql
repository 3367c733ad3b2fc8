-- conformance: IN / NOT IN (subquery) as values (three-valued): SELECT symbol FROM dim
-- requires: subqueries
SELECT id, symbol IN (SELECT symbol FROM dim) AS a, symbol NOT IN (SELECT symbol FROM dim) AS b FROM trades
