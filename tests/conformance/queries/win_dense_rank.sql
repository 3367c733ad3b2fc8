-- conformance: DENSE_RANK with ties
-- requires: window-functions
SELECT id, symbol, DENSE_RANK() OVER (PARTITION BY symbol ORDER BY qty) AS r FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
