-- conformance: LTRIM
-- requires: functions
SELECT id, LTRIM(note) AS l FROM trades
