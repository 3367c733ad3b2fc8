-- conformance: EXTRACT(MINUTE)
-- requires: functions
SELECT id, EXTRACT(MINUTE FROM ts) AS m FROM trades
