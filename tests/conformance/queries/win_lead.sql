-- conformance: LEAD(price)
-- requires: window-functions
SELECT id, symbol, LEAD(price) OVER (PARTITION BY symbol ORDER BY ts, id) AS nxt FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
