-- expect: syntax error: WINDOW TUMBLNG
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol WINDOW TUMBLNG(1m);
