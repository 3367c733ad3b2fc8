-- conformance: GROUP BY symbol COUNT(DISTINCT)
-- requires: aggregation
SELECT symbol, COUNT(DISTINCT qty) AS dq, COUNT(DISTINCT note) AS dn FROM trades GROUP BY symbol
