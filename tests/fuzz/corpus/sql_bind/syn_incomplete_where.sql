-- expect: syntax error: WHERE without a condition
SELECT * FROM trades WHERE;
