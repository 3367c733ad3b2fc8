-- conformance: DATE_FORMAT strftime
-- requires: functions
SELECT id, DATE_FORMAT(ts, '%Y-%m-%d %H:%M') AS t FROM trades
