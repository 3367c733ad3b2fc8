-- expect: syntax error: select as a column name
SELECT select FROM trades;
