-- conformance: running SUM of products
-- requires: window-functions
SELECT id, symbol, SUM(price * qty) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
