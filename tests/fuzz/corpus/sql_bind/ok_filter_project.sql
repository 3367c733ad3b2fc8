-- expect: valid: WHERE with AND/OR/NOT/BETWEEN/IN/LIKE
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, price * quantity AS notional FROM trades
WHERE (side = 'BUY' OR side = 'SELL') AND NOT quantity BETWEEN 1 AND 10 AND symbol LIKE 'A%' AND side IN ('BUY', 'SELL');
