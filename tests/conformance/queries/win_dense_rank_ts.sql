-- conformance: DENSE_RANK by minute
-- requires: window-functions
SELECT id, symbol, DENSE_RANK() OVER (PARTITION BY symbol ORDER BY price NULLS LAST) AS r FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
