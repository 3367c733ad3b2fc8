-- conformance: JOIN on an OR condition (no equality key)
-- requires: joins
SELECT t.id, d.symbol AS dsym FROM trades t JOIN dim d ON t.symbol = d.symbol OR t.qty = 0 WHERE t.id < 1200
