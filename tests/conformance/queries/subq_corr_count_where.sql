-- conformance: correlated COUNT(*) = 0 in WHERE keeps the rows without a match, NULL keys too
-- requires: subqueries
SELECT id, symbol FROM trades t WHERE (SELECT COUNT(*) FROM dim d WHERE d.symbol = t.symbol) = 0
