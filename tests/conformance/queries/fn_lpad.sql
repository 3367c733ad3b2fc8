-- conformance: LPAD
-- requires: functions
SELECT id, LPAD(symbol, 8, '*') AS l FROM trades
