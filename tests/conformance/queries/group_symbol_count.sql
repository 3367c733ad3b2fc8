-- conformance: GROUP BY symbol (VARCHAR incl. NULL key) COUNT
-- requires: aggregation
SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol
