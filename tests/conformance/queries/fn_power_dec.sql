-- conformance: POWER of DECIMAL
-- requires: functions
SELECT id, POWER(fee, 2) AS p FROM trades
