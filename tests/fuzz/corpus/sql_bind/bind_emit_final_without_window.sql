-- expect: bind error: EMIT FINAL needs a WINDOW
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, COUNT(*) FROM trades GROUP BY symbol EMIT FINAL;
