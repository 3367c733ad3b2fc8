-- conformance: TRUNCATE toward zero
-- requires: functions
SELECT id, TRUNCATE(price, 1) AS t, TRUNCATE(fee) AS f FROM trades
