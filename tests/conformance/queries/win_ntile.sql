-- conformance: NTILE(4)
-- requires: window-functions
SELECT id, symbol, NTILE(4) OVER (PARTITION BY symbol ORDER BY ts, id) AS t FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
