-- conformance: UNION ALL of two sources
-- requires: union
SELECT id, symbol FROM trades WHERE qty = 0 UNION ALL SELECT id, symbol FROM trades_json WHERE qty = 1
