-- expect: bind error: cannot cast TIMESTAMP to BOOLEAN
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT CAST(ts AS BOOLEAN) FROM trades;
