-- conformance: JOIN a FROM (subquery) with GROUP BY
-- requires: joins
SELECT t.id, s.n FROM trades t JOIN (SELECT symbol, COUNT(*) AS n FROM trades_json GROUP BY symbol) s ON t.symbol = s.symbol WHERE t.qty = 0
