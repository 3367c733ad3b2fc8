-- expect: syntax error: unterminated string running to the end
SELECT symbol
FROM trades
WHERE side = 'BUY;
