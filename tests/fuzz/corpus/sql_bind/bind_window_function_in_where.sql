-- expect: bind error: window function in WHERE
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol FROM trades WHERE ROW_NUMBER() OVER (ORDER BY ts) = 1;
