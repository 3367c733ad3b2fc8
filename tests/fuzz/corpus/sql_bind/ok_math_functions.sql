-- expect: valid: math functions
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT ROUND(price, 1), ABS(quantity), COALESCE(price, 0), GREATEST(quantity, 1) FROM trades;
