-- conformance: ROWS frame with FOLLOWING
-- requires: window-functions
SELECT id, symbol, SUM(qty) OVER (PARTITION BY symbol ORDER BY ts, id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS s FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
