-- conformance: IN over a UNION ALL subquery
-- requires: subqueries
SELECT id FROM trades WHERE side IN (SELECT side FROM trades_json WHERE id = 1000 UNION ALL SELECT 'SELL')
