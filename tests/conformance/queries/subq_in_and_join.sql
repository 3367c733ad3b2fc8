-- conformance: JOIN with an IN (subquery) filter
-- requires: subqueries
SELECT t.id, d.sector FROM trades t JOIN dim d ON t.symbol = d.symbol WHERE t.side IN (SELECT side FROM trades_json WHERE qty > 1000000)
