-- expect: syntax error: extra ')'
SELECT price + 1) FROM trades;
