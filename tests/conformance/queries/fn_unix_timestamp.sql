-- conformance: UNIX_TIMESTAMP
-- requires: functions
SELECT id, UNIX_TIMESTAMP(ts) AS u FROM trades
