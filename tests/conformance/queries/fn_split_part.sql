-- conformance: SPLIT_PART
-- requires: functions
SELECT id, SPLIT_PART(note, ' ', 1) AS a, SPLIT_PART(note, ' ', 2) AS b FROM trades
