-- expect: syntax error: CAST(x INTEGER)
SELECT CAST(price INTEGER) FROM trades;
