-- conformance: correlated NOT IN in WHERE (mark join: a NULL side or a NULL in the set drops the row)
-- requires: subqueries
SELECT id FROM trades t WHERE side NOT IN (SELECT j.side FROM trades_json j WHERE j.id = t.id - 1)
