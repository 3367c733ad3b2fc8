-- conformance: IN over a grouped subquery
-- requires: subqueries
SELECT id FROM trades WHERE symbol IN (SELECT symbol FROM trades_json GROUP BY symbol HAVING COUNT(*) > 500)
