-- conformance: ORDER BY NULLS FIRST
-- requires: order-by
SELECT id, price FROM trades WHERE id IS NOT NULL ORDER BY price NULLS FIRST, id LIMIT 30
