-- conformance: correlated COUNT(*) on two equalities
-- requires: subqueries
SELECT id, (SELECT COUNT(*) FROM trades_json j WHERE j.symbol = t.symbol AND j.side = t.side) AS c FROM trades t
