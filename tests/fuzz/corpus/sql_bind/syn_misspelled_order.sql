-- expect: syntax error: ODER BY
SELECT symbol FROM trades ODER BY symbol;
