-- expect: syntax error: OVER ( not closed
SELECT SUM(price) OVER (PARTITION BY symbol FROM trades;
