-- expect: syntax error: stray character
SELECT symbol ? FROM trades;
