-- conformance: REGEXP_REPLACE all
-- requires: functions
SELECT id, REGEXP_REPLACE(note, '[aeiou]', '_', 'g') AS r FROM trades
