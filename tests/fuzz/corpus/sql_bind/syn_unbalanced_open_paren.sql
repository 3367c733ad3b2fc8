-- expect: syntax error: '(' never closed
SELECT (price + 1 FROM trades;
