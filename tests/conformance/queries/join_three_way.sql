-- conformance: three-way JOIN: trades x dim x dim
-- requires: joins
SELECT t.id, d.sector, e.symbol AS esym FROM trades t JOIN dim d ON t.symbol = d.symbol JOIN dim e ON d.sector = e.sector
