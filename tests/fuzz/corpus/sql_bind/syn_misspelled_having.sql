-- expect: syntax error: HAVNG
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol HAVNG COUNT(*) > 1;
