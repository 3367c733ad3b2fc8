-- expect: valid: scalar subquery
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, price - (SELECT AVG(price) FROM trades) AS diff FROM trades;
