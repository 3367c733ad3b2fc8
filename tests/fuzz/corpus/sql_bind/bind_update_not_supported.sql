-- expect: bind error: UPDATE is not a streaming statement
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
UPDATE trades SET price = 1 WHERE symbol = 'X';
