-- conformance: EXTRACT(DOW/DOY)
-- requires: functions
SELECT id, EXTRACT(DOW FROM ts) AS w, EXTRACT(DOY FROM ts) AS y FROM trades
