-- conformance: JOIN with WHERE on both sides
-- requires: joins
SELECT t.id, d.listed FROM trades t JOIN dim d ON t.symbol = d.symbol WHERE d.listed < DATE '2000-01-01' AND t.side = 'BUY'
