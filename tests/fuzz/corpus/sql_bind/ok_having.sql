-- expect: valid: HAVING on an aggregate
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, SUM(quantity) AS q FROM trades GROUP BY symbol HAVING SUM(quantity) > 100;
