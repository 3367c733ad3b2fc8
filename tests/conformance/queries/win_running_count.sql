-- conformance: running COUNT
-- requires: window-functions
SELECT id, symbol, COUNT(*) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS n FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
