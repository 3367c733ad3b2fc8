-- expect: bind error: RANGE with INTERVAL needs exactly one ORDER BY key
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT AVG(price) OVER (ORDER BY ts, quantity RANGE BETWEEN INTERVAL '5' MINUTE PRECEDING AND CURRENT ROW) FROM trades;
