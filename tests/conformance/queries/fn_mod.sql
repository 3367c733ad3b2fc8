-- conformance: MOD
-- requires: functions
SELECT id, MOD(qty, 7) AS m, MOD(price, 3) AS p FROM trades
