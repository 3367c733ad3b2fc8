-- expect: syntax error: unterminated /* comment
SELECT symbol /* a comment
FROM trades;
