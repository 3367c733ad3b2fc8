-- expect: syntax error: call not closed
SELECT UPPER(symbol FROM trades;
