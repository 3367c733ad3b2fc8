-- conformance: nested IN subqueries
-- requires: subqueries
SELECT id FROM trades WHERE symbol IN (SELECT symbol FROM dim WHERE sector IN (SELECT sector FROM dim WHERE weight > 1))
