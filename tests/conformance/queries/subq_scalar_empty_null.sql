-- conformance: scalar subquery over no row is NULL
-- requires: subqueries
SELECT id, (SELECT weight FROM dim WHERE symbol = 'none') AS w FROM trades WHERE id < 1010
