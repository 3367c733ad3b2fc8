-- conformance: JOIN with string functions over both sides
-- requires: joins
SELECT t.id, t.symbol || '/' || d.sector AS tag FROM trades t JOIN dim d ON t.symbol = d.symbol
