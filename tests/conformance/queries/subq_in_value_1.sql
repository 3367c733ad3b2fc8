-- conformance: IN / NOT IN (subquery) as values (three-valued): SELECT symbol FROM dim WHERE sector = 'tech'
-- requires: subqueries
SELECT id, symbol IN (SELECT symbol FROM dim WHERE sector = 'tech') AS a, symbol NOT IN (SELECT symbol FROM dim WHERE sector = 'tech') AS b FROM trades
