-- expect: syntax error: SLIDING with one argument
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol WINDOW SLIDING(1m);
