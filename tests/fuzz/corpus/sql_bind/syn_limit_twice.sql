-- expect: syntax error: LIMIT given twice
SELECT * FROM trades LIMIT 1 LIMIT 2;
