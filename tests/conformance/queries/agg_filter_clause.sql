-- conformance: aggregate FILTER (WHERE)
-- requires: aggregation
SELECT COUNT(*) FILTER (WHERE flag) AS a, SUM(qty) FILTER (WHERE side = 'BUY') AS b FROM trades
