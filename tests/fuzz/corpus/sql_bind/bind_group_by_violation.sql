-- expect: bind error: 'price' must appear in GROUP BY or be in an aggregate
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, price, COUNT(*) FROM trades GROUP BY symbol;
