-- conformance: ORDER BY TIMESTAMP restores event order
-- requires: order-by
SELECT id, ts FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL ORDER BY ts, id LIMIT 50
