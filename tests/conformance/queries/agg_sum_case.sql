-- conformance: SUM(CASE ...)
-- requires: aggregation
SELECT SUM(CASE WHEN side = 'BUY' THEN qty ELSE 0 END) AS buys, SUM(CASE WHEN side = 'SELL' THEN qty END) AS sells FROM trades
