-- conformance: LEFT JOIN then WHERE on the right side (NULLs filtered)
-- requires: joins
SELECT t.id, d.sector FROM trades t LEFT JOIN dim d ON t.symbol = d.symbol WHERE d.weight > 0
