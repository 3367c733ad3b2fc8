-- conformance: NOT IN (subquery) in WHERE (NULL semantics): SELECT side FROM trades_json WHERE qty = 0
-- requires: subqueries
SELECT id, side AS v FROM trades WHERE side NOT IN (SELECT side FROM trades_json WHERE qty = 0)
