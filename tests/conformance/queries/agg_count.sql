-- conformance: COUNT(*) and COUNT(col) over the whole input
-- requires: aggregation
SELECT COUNT(*) AS n, COUNT(price) AS n_price FROM trades
