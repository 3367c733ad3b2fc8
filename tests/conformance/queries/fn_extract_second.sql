-- conformance: EXTRACT(SECOND) is whole seconds
-- requires: functions
SELECT id, EXTRACT(SECOND FROM ts) AS s FROM trades
