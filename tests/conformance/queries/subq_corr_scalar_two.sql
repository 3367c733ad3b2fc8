-- conformance: two correlated scalar subqueries
-- requires: subqueries
SELECT id, (SELECT MAX(d.weight) FROM dim d WHERE d.symbol = t.symbol) AS hi, (SELECT MIN(j.price) FROM trades_json j WHERE j.id = t.id) AS p FROM trades t
