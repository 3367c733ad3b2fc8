-- expect: syntax error: CAST to an unknown type
SELECT CAST(price AS MONEY) FROM trades;
