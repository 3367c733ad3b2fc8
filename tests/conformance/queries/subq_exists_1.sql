-- conformance: EXISTS (uncorrelated): SELECT 1 FROM dim WHERE weight > 100
-- requires: subqueries
SELECT id FROM trades WHERE EXISTS (SELECT 1 FROM dim WHERE weight > 100) AND id < 1100
