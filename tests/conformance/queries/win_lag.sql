-- conformance: LAG(price)
-- requires: window-functions
SELECT id, symbol, LAG(price) OVER (PARTITION BY symbol ORDER BY ts, id) AS prev FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
