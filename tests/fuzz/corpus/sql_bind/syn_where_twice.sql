-- expect: syntax error: WHERE given twice
SELECT * FROM trades WHERE price > 1 WHERE quantity > 1;
