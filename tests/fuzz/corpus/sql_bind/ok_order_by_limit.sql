-- expect: valid: ORDER BY and LIMIT on a bounded file
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, price FROM trades ORDER BY price DESC NULLS LAST LIMIT 10;
