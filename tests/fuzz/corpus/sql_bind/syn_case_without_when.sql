-- expect: syntax error: CASE END
SELECT CASE END FROM trades;
