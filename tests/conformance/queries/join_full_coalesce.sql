-- conformance: FULL JOIN with COALESCE of the keys
-- requires: joins
SELECT COALESCE(t.symbol, d.symbol) AS sym, COUNT(*) AS n FROM trades t FULL JOIN dim d ON t.symbol = d.symbol GROUP BY COALESCE(t.symbol, d.symbol)
