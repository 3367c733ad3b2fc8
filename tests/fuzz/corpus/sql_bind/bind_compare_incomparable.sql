-- expect: bind error: cannot compare TIMESTAMP with BOOLEAN
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT * FROM trades WHERE ts = TRUE;
