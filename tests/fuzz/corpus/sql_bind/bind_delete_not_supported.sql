-- expect: bind error: DELETE is not a streaming statement
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
DELETE FROM trades WHERE symbol = 'X';
