-- conformance: CEIL of DECIMAL
-- requires: functions
SELECT id, CEIL(price) AS c, CEIL(fee) AS f FROM trades
