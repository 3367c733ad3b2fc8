-- conformance: LN
-- requires: functions
SELECT id, LN(qty) AS l FROM trades WHERE qty > 0
