-- conformance: JOIN then WHERE on the right side (NULLs filtered)
-- requires: joins
SELECT t.id, d.sector FROM trades t JOIN dim d ON t.symbol = d.symbol WHERE d.weight > 0
