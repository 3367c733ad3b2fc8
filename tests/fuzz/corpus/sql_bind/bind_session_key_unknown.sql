-- expect: bind error: SESSION key column unknown
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT COUNT(*) FROM trades GROUP BY symbol WINDOW SESSION(ts, 30s, symbl);
