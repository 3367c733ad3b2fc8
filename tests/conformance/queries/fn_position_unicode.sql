-- conformance: POSITION counts characters
-- requires: functions
SELECT id, POSITION('é', note) AS p FROM trades
