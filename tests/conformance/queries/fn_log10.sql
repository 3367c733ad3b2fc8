-- conformance: LOG10
-- requires: functions
SELECT id, LOG10(qty) AS l FROM trades WHERE qty > 0
