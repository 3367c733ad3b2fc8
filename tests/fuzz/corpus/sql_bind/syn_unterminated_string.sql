-- expect: syntax error: unterminated string
SELECT 'abc FROM trades;
