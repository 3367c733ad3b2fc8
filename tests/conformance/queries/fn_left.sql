-- conformance: LEFT on Unicode
-- requires: functions
SELECT id, LEFT(symbol, 2) AS l FROM trades
