-- conformance: GROUP BY with FILTER
-- requires: aggregation
SELECT symbol, COUNT(*) FILTER (WHERE flag) AS t, COUNT(*) FILTER (WHERE NOT flag) AS f FROM trades GROUP BY symbol
