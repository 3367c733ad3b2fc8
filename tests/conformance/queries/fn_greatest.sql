-- conformance: GREATEST across DECIMAL scales
-- requires: functions
SELECT id, GREATEST(price, fee) AS g FROM trades
