-- conformance: REVERSE on Unicode
-- requires: functions
SELECT id, REVERSE(symbol) AS r FROM trades
