-- conformance: DATE_TRUNC hour
-- requires: functions
SELECT id, DATE_TRUNC('hour', ts) AS h FROM trades
