-- expect: valid (original dialect): HAVING after WINDOW
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol WINDOW TUMBLING(1m) HAVING COUNT(*) > 2;
