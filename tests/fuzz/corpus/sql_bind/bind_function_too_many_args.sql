-- expect: bind error: ROUND expects 1 or 2 arguments, found 3
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT ROUND(price, 2, 3) FROM trades;
