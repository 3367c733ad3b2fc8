-- conformance: GROUP BY two keys
-- requires: aggregation
SELECT symbol, side, COUNT(*) AS n, SUM(qty) AS q FROM trades GROUP BY symbol, side
