-- conformance: REGEXP_MATCHES
-- requires: functions
SELECT id, REGEXP_MATCHES(note, '^[a-z]+$') AS m FROM trades
