-- expect: syntax error: two statements without ';'
SELECT symbol FROM trades
SELECT price FROM trades;
