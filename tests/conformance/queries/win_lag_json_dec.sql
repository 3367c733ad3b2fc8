-- conformance: LAG of DECIMAL from JSON
-- requires: window-functions
SELECT id, symbol, LAG(fee) OVER (PARTITION BY symbol ORDER BY ts, id) AS prev_fee FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
