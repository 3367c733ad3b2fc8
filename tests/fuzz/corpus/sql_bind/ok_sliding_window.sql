-- expect: valid: SLIDING window
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, AVG(price) FROM trades GROUP BY symbol WINDOW SLIDING(10m, 1m) EMIT CHANGES;
