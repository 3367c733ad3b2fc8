-- expect: bind error: SUBSTRING expects 2 or 3 arguments, found 1
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT SUBSTRING(symbol) FROM trades;
