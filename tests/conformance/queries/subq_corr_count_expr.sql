-- conformance: correlated COUNT(expr) scalar over a stream: 0 when no row, NULLs not counted
-- requires: subqueries
SELECT id, (SELECT COUNT(j.note) FROM trades_json j WHERE j.id = t.id + 1) AS c FROM trades t
