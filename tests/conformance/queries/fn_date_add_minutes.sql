-- conformance: DATE_ADD minutes
-- requires: functions
SELECT id, DATE_ADD('minute', 5, ts) AS t FROM trades
