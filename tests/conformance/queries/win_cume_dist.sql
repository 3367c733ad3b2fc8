-- conformance: CUME_DIST
-- requires: window-functions
SELECT id, symbol, CUME_DIST() OVER (PARTITION BY symbol ORDER BY qty) AS c FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
