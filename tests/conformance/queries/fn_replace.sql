-- conformance: REPLACE
-- requires: functions
SELECT id, REPLACE(note, ',', ';') AS r FROM trades
