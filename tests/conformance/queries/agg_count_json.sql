-- conformance: COUNT over JSON lines
-- requires: aggregation
SELECT COUNT(*) AS n, COUNT(ts) AS t, SUM(price) AS s FROM trades_json
