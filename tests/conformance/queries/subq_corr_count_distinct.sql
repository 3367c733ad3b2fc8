-- conformance: correlated COUNT(DISTINCT x) with an uncorrelated filter in the subquery
-- requires: subqueries
SELECT id, (SELECT COUNT(DISTINCT j.side) FROM trades_json j WHERE j.symbol = t.symbol AND j.qty > 500000) AS c FROM trades t
