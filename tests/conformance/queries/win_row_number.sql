-- conformance: ROW_NUMBER per symbol
-- requires: window-functions
SELECT id, symbol, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts, id) AS rn FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
