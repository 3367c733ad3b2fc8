-- conformance: FLOOR of DECIMAL
-- requires: functions
SELECT id, FLOOR(price) AS c, FLOOR(fee) AS f FROM trades
