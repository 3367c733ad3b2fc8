-- expect: syntax error: FROM join
SELECT * FROM join;
