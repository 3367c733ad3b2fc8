-- expect: syntax error: WHER is not WHERE (expected WHERE, found 'WHER')
SELECT symbol FROM trades WHER price > 1;
