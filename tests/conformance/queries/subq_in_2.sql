-- conformance: IN (subquery) in WHERE: SELECT side FROM trades_json WHERE qty = 0
-- requires: subqueries
SELECT id, side AS v FROM trades WHERE side IN (SELECT side FROM trades_json WHERE qty = 0)
