-- expect: syntax error: FROM as an alias
SELECT price AS from FROM trades;
