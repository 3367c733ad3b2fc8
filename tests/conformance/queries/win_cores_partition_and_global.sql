-- conformance: a window with PARTITION BY next to one without (stays on one core)
-- requires: window-functions
SELECT id, symbol, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts, id) AS rn, ROW_NUMBER() OVER (ORDER BY ts, id) AS g FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
