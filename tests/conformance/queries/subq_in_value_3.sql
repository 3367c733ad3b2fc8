-- conformance: IN / NOT IN (subquery) as values (three-valued): SELECT id + 1 FROM trades_json WHERE qty > 1000000
-- requires: subqueries
SELECT id, id IN (SELECT id + 1 FROM trades_json WHERE qty > 1000000) AS a, id NOT IN (SELECT id + 1 FROM trades_json WHERE qty > 1000000) AS b FROM trades
