-- conformance: correlated scalar subquery in arithmetic, with COALESCE for no group
-- requires: subqueries
SELECT id, COALESCE((SELECT MAX(j.qty) FROM trades_json j WHERE j.side = t.side AND j.symbol = t.symbol), -1) - t.qty AS d FROM trades t
