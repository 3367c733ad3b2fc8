-- conformance: JOIN of two grouped subqueries
-- requires: joins
SELECT a.symbol, a.n, b.q FROM (SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol) a FULL JOIN (SELECT symbol, SUM(qty) AS q FROM trades_json WHERE side = 'BUY' GROUP BY symbol) b ON a.symbol = b.symbol
