-- conformance: running SUM with the default RANGE frame
-- requires: window-functions
SELECT id, symbol, SUM(qty) OVER (PARTITION BY symbol ORDER BY ts, id) AS running FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
