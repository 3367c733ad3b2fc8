-- conformance: SQRT of DECIMAL
-- requires: functions
SELECT id, SQRT(ABS(price)) AS s FROM trades
