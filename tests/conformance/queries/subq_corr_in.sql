-- conformance: correlated IN (semi join on the value and the correlation)
-- requires: subqueries
SELECT id FROM trades t WHERE side IN (SELECT j.side FROM trades_json j WHERE j.id = t.id - 1)
