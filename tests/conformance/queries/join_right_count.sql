-- conformance: RIGHT JOIN counts per right row
-- requires: joins
SELECT d.symbol AS dsym, COUNT(t.id) AS n FROM trades t RIGHT JOIN dim d ON t.symbol = d.symbol AND t.side = 'SELL' GROUP BY d.symbol
