-- conformance: EXISTS (uncorrelated): SELECT 1 FROM dim WHERE weight > 1
-- requires: subqueries
SELECT id FROM trades WHERE EXISTS (SELECT 1 FROM dim WHERE weight > 1) AND id < 1100
