-- conformance: uncorrelated IN comparing BIGINT with DECIMAL
-- requires: subqueries
SELECT id, qty IN (SELECT d.weight * 1000 FROM dim d) AS hit FROM trades
