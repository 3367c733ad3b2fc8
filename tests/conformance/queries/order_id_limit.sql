-- conformance: ORDER BY id LIMIT
-- requires: order-by
SELECT id, price FROM trades WHERE id IS NOT NULL ORDER BY id LIMIT 20
