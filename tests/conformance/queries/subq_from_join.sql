-- conformance: FROM (subquery) joined with a table
-- requires: subqueries
SELECT x.id, d.sector FROM (SELECT id, symbol FROM trades WHERE qty = 0) x LEFT JOIN dim d ON x.symbol = d.symbol
