-- expect: bind error: LAG needs ORDER BY in OVER
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT LAG(price) OVER (PARTITION BY symbol) FROM trades;
