-- expect: syntax error: trailing comma in GROUP BY
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol, ;
