-- conformance: correlated NOT IN under OR
-- requires: subqueries
SELECT id FROM trades t WHERE qty = 0 OR side NOT IN (SELECT j.side FROM trades_json j WHERE j.id = t.id + 1)
