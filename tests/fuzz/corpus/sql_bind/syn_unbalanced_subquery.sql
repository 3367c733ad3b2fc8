-- expect: syntax error: subquery not closed
SELECT * FROM (SELECT symbol FROM trades t;
