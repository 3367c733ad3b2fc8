-- conformance: ORDER BY DESC NULLS LAST
-- requires: order-by
SELECT id, fee FROM trades WHERE id IS NOT NULL ORDER BY fee DESC NULLS LAST, id LIMIT 30
