-- conformance: DATE_TRUNC minute
-- requires: functions
SELECT id, DATE_TRUNC('minute', ts) AS m FROM trades
