-- conformance: RIGHT on Unicode
-- requires: functions
SELECT id, RIGHT(symbol, 2) AS r FROM trades
