-- conformance: POSITION(needle, s)
-- requires: functions
SELECT id, POSITION('a', note) AS p FROM trades
