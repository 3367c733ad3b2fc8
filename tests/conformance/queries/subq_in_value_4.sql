-- conformance: IN / NOT IN (subquery) as values (three-valued): SELECT symbol FROM dim WHERE weight IS NULL OR sector IS NULL
-- requires: subqueries
SELECT id, symbol IN (SELECT symbol FROM dim WHERE weight IS NULL OR sector IS NULL) AS a, symbol NOT IN (SELECT symbol FROM dim WHERE weight IS NULL OR sector IS NULL) AS b FROM trades
