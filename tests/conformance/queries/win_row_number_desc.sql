-- conformance: ROW_NUMBER descending
-- requires: window-functions
SELECT id, symbol, ROW_NUMBER() OVER (PARTITION BY symbol ORDER BY ts DESC, id DESC) AS rn FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
