-- conformance: IN (subquery) before GROUP BY
-- requires: subqueries
SELECT side, COUNT(*) AS n FROM trades WHERE symbol IN (SELECT symbol FROM dim) GROUP BY side
