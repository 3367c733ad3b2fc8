-- expect: syntax error: CASE without END
SELECT CASE WHEN price > 1 THEN 'hi' FROM trades;
