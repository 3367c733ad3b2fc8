-- conformance: ORDER BY id DESC LIMIT
-- requires: order-by
SELECT id, price FROM trades WHERE id IS NOT NULL ORDER BY id DESC LIMIT 20
