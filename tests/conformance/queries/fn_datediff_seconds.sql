-- conformance: DATEDIFF in seconds
-- requires: functions
SELECT id, DATEDIFF('second', TIMESTAMP '2026-01-05 09:30:00', ts) AS d FROM trades
