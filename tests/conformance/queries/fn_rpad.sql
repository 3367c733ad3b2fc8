-- conformance: RPAD
-- requires: functions
SELECT id, RPAD(symbol, 8, '.') AS r FROM trades
