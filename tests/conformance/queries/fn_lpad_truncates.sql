-- conformance: LPAD shorter than the text
-- requires: functions
SELECT id, LPAD(note, 3, '*') AS l FROM trades
