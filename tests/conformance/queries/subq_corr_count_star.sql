-- conformance: correlated COUNT(*) scalar: 0, not NULL, for a row without a match (LEFT JOIN + COALESCE)
-- requires: subqueries
SELECT id, (SELECT COUNT(*) FROM dim d WHERE d.symbol = t.symbol) AS c FROM trades t
