-- expect: syntax error: JION
SELECT * FROM trades t JION quotes q ON t.symbol = q.symbol;
