-- conformance: LIMIT 0
-- requires: order-by
SELECT id FROM trades ORDER BY id LIMIT 0
