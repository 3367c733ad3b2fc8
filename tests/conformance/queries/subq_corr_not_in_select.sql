-- conformance: correlated NOT IN as a select-list value: TRUE, FALSE or NULL
-- requires: subqueries
SELECT id, side NOT IN (SELECT j.side FROM trades_json j WHERE j.id = t.id + 2) AS ni FROM trades t
