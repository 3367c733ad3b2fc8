-- conformance: GROUP BY text with newlines and quotes
-- requires: aggregation
SELECT note, COUNT(*) AS n FROM trades GROUP BY note
