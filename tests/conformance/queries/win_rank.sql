-- conformance: RANK with ties
-- requires: window-functions
SELECT id, symbol, RANK() OVER (PARTITION BY symbol ORDER BY qty) AS r FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
