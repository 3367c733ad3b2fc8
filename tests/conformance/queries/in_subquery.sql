-- conformance: IN (subquery)
-- requires: subqueries
SELECT id FROM trades WHERE symbol IN (SELECT symbol FROM dim WHERE sector = 'tech')
