-- expect: valid (original dialect): DATEDIFF('hours', a, b)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT DATEDIFF('hours', ts, TIMESTAMP '2024-01-02 00:00:00') FROM trades;
