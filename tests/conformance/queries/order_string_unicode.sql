-- conformance: ORDER BY Unicode text (binary order)
-- requires: order-by
SELECT id, symbol FROM trades WHERE id IS NOT NULL AND symbol IS NOT NULL ORDER BY symbol, id LIMIT 40
