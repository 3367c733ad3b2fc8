-- conformance: correlated COUNT(*) inside CASE
-- requires: subqueries
SELECT id, CASE WHEN (SELECT COUNT(*) FROM dim d WHERE d.symbol = t.symbol) > 0 THEN 'known' ELSE 'unknown' END AS k FROM trades t
