-- conformance: SUM over the whole partition
-- requires: window-functions
SELECT id, symbol, SUM(price) OVER (PARTITION BY symbol) AS total FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
