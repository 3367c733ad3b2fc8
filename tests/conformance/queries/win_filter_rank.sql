-- conformance: window over filtered input
-- requires: window-functions
SELECT id, symbol, RANK() OVER (PARTITION BY symbol ORDER BY price DESC NULLS LAST) AS r FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL AND side = 'BUY'
