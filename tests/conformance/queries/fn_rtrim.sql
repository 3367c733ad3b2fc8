-- conformance: RTRIM
-- requires: functions
SELECT id, RTRIM(note) AS r FROM trades
