-- conformance: EXTRACT(EPOCH) as whole seconds
-- requires: functions
SELECT id, EXTRACT(EPOCH FROM ts) AS e FROM trades
