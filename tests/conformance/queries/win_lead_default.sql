-- conformance: LEAD with default
-- requires: window-functions
SELECT id, symbol, LEAD(side, 1, 'none') OVER (PARTITION BY symbol ORDER BY ts, id) AS nxt FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
