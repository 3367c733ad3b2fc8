-- expect: syntax error: 1.2.3 is not a number
SELECT price * 1.2.3 FROM trades;
