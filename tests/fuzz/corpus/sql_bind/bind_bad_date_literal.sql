-- expect: bind error: DATE '2024-13-45' is not a date
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT * FROM trades WHERE ts > DATE '2024-13-45';
