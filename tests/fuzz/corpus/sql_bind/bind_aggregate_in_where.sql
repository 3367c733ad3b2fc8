-- expect: bind error: aggregate functions are not allowed in WHERE
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol FROM trades WHERE SUM(price) > 10;
