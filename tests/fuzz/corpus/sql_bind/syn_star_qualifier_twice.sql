-- expect: syntax error: a.b.* is not allowed
SELECT a.b.* FROM trades a;
