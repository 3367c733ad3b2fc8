-- conformance: SQRT
-- requires: functions
SELECT id, SQRT(qty) AS s FROM trades
