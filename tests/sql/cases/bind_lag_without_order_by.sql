-- expect: valid: LAG without ORDER BY in OVER reads rows in event-time order (the order a stream arrives in)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT LAG(price) OVER (PARTITION BY symbol) FROM trades;
