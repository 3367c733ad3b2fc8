-- conformance: LAG of Unicode text
-- requires: window-functions
SELECT id, symbol, LAG(note) OVER (PARTITION BY symbol ORDER BY ts, id) AS prev_note FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
