-- conformance: ORDER BY after GROUP BY
-- requires: order-by
SELECT symbol, COUNT(*) AS n FROM trades WHERE symbol IS NOT NULL GROUP BY symbol ORDER BY n DESC, symbol
