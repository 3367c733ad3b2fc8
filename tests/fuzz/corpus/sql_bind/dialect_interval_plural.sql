-- expect: valid (original dialect): INTERVAL 5 MINUTES (unquoted, plural unit)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol WINDOW TUMBLING(INTERVAL 5 MINUTES);
