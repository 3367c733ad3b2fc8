-- conformance: EXTRACT(HOUR)
-- requires: functions
SELECT id, EXTRACT(HOUR FROM ts) AS h FROM trades
