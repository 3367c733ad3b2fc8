-- conformance: JOIN then WHERE ... IS NULL (anti-join pattern)
-- requires: joins
SELECT t.id, t.symbol AS tsym, d.symbol AS dsym FROM trades t JOIN dim d ON t.symbol = d.symbol WHERE d.symbol IS NULL OR t.id IS NULL
