-- conformance: LAG with offset and default
-- requires: window-functions
SELECT id, symbol, LAG(qty, 2, 0) OVER (PARTITION BY symbol ORDER BY ts, id) AS prev2 FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
