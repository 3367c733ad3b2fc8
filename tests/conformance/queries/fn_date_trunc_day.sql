-- conformance: DATE_TRUNC day
-- requires: functions
SELECT id, DATE_TRUNC('day', ts) AS d FROM trades
