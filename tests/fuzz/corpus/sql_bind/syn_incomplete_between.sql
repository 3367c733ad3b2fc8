-- expect: syntax error: BETWEEN without AND
SELECT * FROM trades WHERE price BETWEEN 1;
