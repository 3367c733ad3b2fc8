-- conformance: JOIN with DECIMAL arithmetic
-- requires: joins
SELECT t.id, t.price * d.weight AS w FROM trades t JOIN dim d ON t.symbol = d.symbol
