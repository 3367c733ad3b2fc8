-- expect: syntax error: GRUOP BY
SELECT symbol, COUNT(*) FROM trades GRUOP BY symbol;
