-- conformance: POWER
-- requires: functions
SELECT id, POWER(qty, 2) AS p, POW(2, 10) AS q FROM trades
