-- conformance: EXTRACT(MILLISECOND)
-- requires: functions
SELECT id, EXTRACT(MILLISECOND FROM ts) AS ms FROM trades
