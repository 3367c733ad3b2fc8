-- conformance: top groups by SUM
-- requires: order-by
SELECT symbol, SUM(price) AS s FROM trades WHERE symbol IS NOT NULL GROUP BY symbol ORDER BY s DESC LIMIT 3
