-- conformance: JOIN with ORDER BY and LIMIT
-- requires: joins
SELECT t.id, d.sector FROM trades t JOIN dim d ON t.symbol = d.symbol ORDER BY t.id NULLS LAST, d.sector LIMIT 20
