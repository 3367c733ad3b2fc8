-- expect: bind error: INSERT INTO an undeclared sink
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
INSERT INTO nowhere SELECT * FROM trades;
