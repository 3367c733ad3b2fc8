-- expect: valid: IS NULL / IS DISTINCT FROM / NULLIF
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT * FROM trades WHERE price IS NOT NULL AND side IS DISTINCT FROM 'X' AND NULLIF(quantity, 0) IS NOT NULL;
