-- conformance: ROUND(ABS(x), 1) with CEIL
-- requires: functions
SELECT id, CEIL(ROUND(ABS(fee), 1)) AS c FROM trades
