-- conformance: CEILING of BIGINT
-- requires: functions
SELECT id, CEILING(qty) AS c FROM trades
