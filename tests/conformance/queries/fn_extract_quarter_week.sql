-- conformance: EXTRACT(QUARTER/WEEK)
-- requires: functions
SELECT id, EXTRACT(QUARTER FROM ts) AS q, EXTRACT(WEEK FROM ts) AS w FROM trades
