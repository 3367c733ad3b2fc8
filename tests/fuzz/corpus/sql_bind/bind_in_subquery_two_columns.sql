-- expect: bind error: IN subquery must return one column
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT * FROM trades WHERE symbol IN (SELECT symbol, side FROM trades);
