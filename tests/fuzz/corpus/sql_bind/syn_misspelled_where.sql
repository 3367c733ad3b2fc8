-- expect: syntax error: WHER taken as alias, then 'price' unexpected
SELECT symbol FROM trades WHER price > 1;
