-- conformance: LOG(base, x)
-- requires: functions
SELECT id, LOG(2, qty) AS l FROM trades WHERE qty > 0
