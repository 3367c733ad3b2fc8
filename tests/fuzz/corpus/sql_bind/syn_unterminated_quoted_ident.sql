-- expect: syntax error: unterminated quoted identifier
SELECT "symbol FROM trades;
