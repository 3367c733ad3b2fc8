-- conformance: PERCENT_RANK
-- requires: window-functions
SELECT id, symbol, PERCENT_RANK() OVER (PARTITION BY symbol ORDER BY qty) AS p FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
