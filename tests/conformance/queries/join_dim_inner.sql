-- conformance: INNER JOIN with the dim table
-- requires: joins
SELECT t.id, t.symbol, d.sector FROM trades t JOIN dim d ON t.symbol = d.symbol
