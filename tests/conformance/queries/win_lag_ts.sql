-- conformance: LAG of a TIMESTAMP
-- requires: window-functions
SELECT id, symbol, LAG(ts) OVER (PARTITION BY symbol ORDER BY ts, id) AS prev_ts FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
