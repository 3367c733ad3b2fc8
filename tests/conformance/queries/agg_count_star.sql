-- conformance: COUNT(*) and COUNT(col)
-- requires: aggregation
SELECT COUNT(*) AS n, COUNT(price) AS np, COUNT(note) AS nn FROM trades
