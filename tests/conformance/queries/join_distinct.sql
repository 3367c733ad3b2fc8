-- conformance: SELECT DISTINCT over a JOIN
-- requires: joins
SELECT DISTINCT t.side, d.sector FROM trades t JOIN dim d ON t.symbol = d.symbol
