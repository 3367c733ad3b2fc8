-- expect: bind error: 'quantity' in an expression not grouped
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, quantity * 2, SUM(price) FROM trades GROUP BY symbol;
