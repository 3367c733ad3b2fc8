-- conformance: aggregate over a time-bounded stream-stream join
-- requires: joins
SELECT a.symbol, COUNT(*) AS n, SUM(b.qty) AS q FROM trades a JOIN trades_json b ON a.symbol = b.symbol AND b.ts BETWEEN a.ts - INTERVAL '500' MILLISECOND AND a.ts GROUP BY a.symbol
