-- conformance: JOIN on an expression key (UPPER)
-- requires: joins
SELECT t.id, d.sector FROM trades t JOIN dim d ON UPPER(t.symbol) = UPPER(d.symbol)
