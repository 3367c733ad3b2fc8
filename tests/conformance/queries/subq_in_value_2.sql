-- conformance: IN / NOT IN (subquery) as values (three-valued): SELECT side FROM trades_json WHERE qty = 0
-- requires: subqueries
SELECT id, side IN (SELECT side FROM trades_json WHERE qty = 0) AS a, side NOT IN (SELECT side FROM trades_json WHERE qty = 0) AS b FROM trades
