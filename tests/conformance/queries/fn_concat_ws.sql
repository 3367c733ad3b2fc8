-- conformance: CONCAT_WS skips NULLs
-- requires: functions
SELECT id, CONCAT_WS('|', symbol, side, note) AS c FROM trades
