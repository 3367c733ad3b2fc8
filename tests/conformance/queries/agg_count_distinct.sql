-- conformance: COUNT(DISTINCT)
-- requires: aggregation
SELECT COUNT(DISTINCT symbol) AS a, COUNT(DISTINCT side) AS b, COUNT(DISTINCT qty) AS c FROM trades
