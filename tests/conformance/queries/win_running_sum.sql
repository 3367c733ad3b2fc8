-- conformance: running SUM(DECIMAL)
-- requires: window-functions
SELECT id, symbol, SUM(price) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS running FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
