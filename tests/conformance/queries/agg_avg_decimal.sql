-- conformance: AVG(DECIMAL) exact in velo, DOUBLE in DuckDB
-- requires: aggregation
SELECT AVG(price) AS a, AVG(fee) AS f FROM trades
