-- expect: syntax error: trailing comma before FROM
SELECT symbol, price, FROM trades;
