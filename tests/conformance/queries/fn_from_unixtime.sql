-- conformance: FROM_UNIXTIME
-- requires: functions
SELECT id, FROM_UNIXTIME(qty) AS t FROM trades
