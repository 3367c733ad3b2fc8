-- conformance: LEAST with NULLs
-- requires: functions
SELECT id, LEAST(price, fee, 0) AS l FROM trades
