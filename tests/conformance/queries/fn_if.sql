-- conformance: IF
-- requires: functions
SELECT id, IF(flag, 'yes', 'no') AS f FROM trades
