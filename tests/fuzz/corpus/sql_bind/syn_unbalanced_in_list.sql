-- expect: syntax error: IN list not closed
SELECT * FROM trades WHERE side IN ('BUY', 'SELL';
