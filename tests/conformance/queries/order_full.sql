-- conformance: ORDER BY over the whole input
-- requires: order-by
SELECT id, ts, price FROM trades WHERE id IS NOT NULL ORDER BY id
