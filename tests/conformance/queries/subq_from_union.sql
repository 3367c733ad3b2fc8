-- conformance: FROM (UNION ALL subquery) with GROUP BY
-- requires: subqueries
SELECT side, COUNT(*) AS n FROM (SELECT side FROM trades UNION ALL SELECT side FROM trades_json) u GROUP BY side
