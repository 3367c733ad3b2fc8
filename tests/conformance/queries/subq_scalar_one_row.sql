-- conformance: scalar subquery returning one row by filter
-- requires: subqueries
SELECT id, (SELECT sector FROM dim WHERE symbol = 'NVDA') AS s FROM trades WHERE id < 1010
