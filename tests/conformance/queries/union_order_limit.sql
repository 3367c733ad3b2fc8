-- conformance: UNION ALL with ORDER BY and LIMIT
-- requires: union
SELECT id, symbol FROM trades WHERE qty = 0 UNION ALL SELECT id, symbol FROM trades_json WHERE qty = 0 ORDER BY 1 NULLS LAST, 2 LIMIT 30
