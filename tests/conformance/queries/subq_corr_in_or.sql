-- conformance: correlated IN under OR: NULL marks stay NULL
-- requires: subqueries
SELECT id FROM trades t WHERE price < 0 OR side IN (SELECT j.side FROM trades_json j WHERE j.id = t.id + 1)
