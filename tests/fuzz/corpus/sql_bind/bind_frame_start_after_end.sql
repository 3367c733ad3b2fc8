-- expect: bind error: frame starts after it ends
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT SUM(price) OVER (ORDER BY ts ROWS BETWEEN CURRENT ROW AND 2 PRECEDING) FROM trades;
