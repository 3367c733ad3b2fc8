-- conformance: ORDER BY an expression
-- requires: order-by
SELECT id, price * qty AS notional FROM trades WHERE id IS NOT NULL AND price IS NOT NULL AND qty IS NOT NULL ORDER BY price * qty DESC, id LIMIT 10
