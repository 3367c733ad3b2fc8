-- conformance: EXTRACT on DATE
-- requires: functions
SELECT symbol, EXTRACT(YEAR FROM listed) AS y FROM dim
