-- expect: syntax error: INTERVAL with an unknown unit
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol WINDOW TUMBLING(INTERVAL '5' FORTNIGHTS);
