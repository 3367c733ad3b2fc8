-- expect: bind error: RANGE with INTERVAL needs ORDER BY a TIMESTAMP
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT AVG(price) OVER (PARTITION BY symbol ORDER BY quantity RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW) FROM trades;
