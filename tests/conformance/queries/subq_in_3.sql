-- conformance: IN (subquery) in WHERE: SELECT id + 1 FROM trades_json WHERE qty > 1000000
-- requires: subqueries
SELECT id, id AS v FROM trades WHERE id IN (SELECT id + 1 FROM trades_json WHERE qty > 1000000)
