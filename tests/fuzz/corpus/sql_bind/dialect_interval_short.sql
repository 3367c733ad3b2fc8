-- expect: valid (original dialect): short durations 30s, 5m, 1h, 100ms
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol WINDOW SLIDING(1h, 30s);
