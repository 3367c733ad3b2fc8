-- conformance: GROUP BY over JSON lines
-- requires: aggregation
SELECT symbol, COUNT(*) AS n, SUM(price) AS s FROM trades_json GROUP BY symbol
