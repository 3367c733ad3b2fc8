-- expect: syntax error: INTERVAL 'abc' MINUTE
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol WINDOW TUMBLING(INTERVAL 'abc' MINUTE);
