-- conformance: GROUP BY symbol AVG
-- requires: aggregation
SELECT symbol, AVG(qty) AS q, AVG(price) AS p FROM trades GROUP BY symbol
