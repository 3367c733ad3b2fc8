-- conformance: EXTRACT(DAY/MONTH/YEAR)
-- requires: functions
SELECT id, EXTRACT(DAY FROM ts) AS d, EXTRACT(MONTH FROM ts) AS m, EXTRACT(YEAR FROM ts) AS y FROM trades
