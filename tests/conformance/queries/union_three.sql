-- conformance: UNION ALL of three inputs
-- requires: union
SELECT id, symbol FROM trades WHERE qty = 0 UNION ALL SELECT id, symbol FROM trades_json WHERE qty = 1 UNION ALL SELECT CAST(NULL AS BIGINT), symbol FROM dim
