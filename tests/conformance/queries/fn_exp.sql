-- conformance: EXP
-- requires: functions
SELECT id, EXP(qty / 1000) AS e FROM trades WHERE qty < 100000
