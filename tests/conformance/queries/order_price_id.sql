-- conformance: ORDER BY DECIMAL then id
-- requires: order-by
SELECT id, price FROM trades WHERE id IS NOT NULL AND price IS NOT NULL ORDER BY price DESC, id LIMIT 25
