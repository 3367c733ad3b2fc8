-- conformance: REPLACE on Unicode
-- requires: functions
SELECT id, REPLACE(symbol, 'ö', 'oe') AS r FROM trades
