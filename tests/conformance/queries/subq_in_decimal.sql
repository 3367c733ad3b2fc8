-- conformance: IN (subquery) comparing DECIMAL with a different scale
-- requires: subqueries
SELECT id FROM trades WHERE price IN (SELECT weight FROM dim)
