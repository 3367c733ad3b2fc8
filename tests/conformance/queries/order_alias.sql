-- conformance: ORDER BY an alias
-- requires: order-by
SELECT id, qty * 2 AS q2 FROM trades WHERE id IS NOT NULL AND qty IS NOT NULL ORDER BY q2, id LIMIT 10
