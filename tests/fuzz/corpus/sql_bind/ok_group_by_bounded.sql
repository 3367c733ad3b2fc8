-- expect: valid: GROUP BY on a bounded file: no warning
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, COUNT(*) AS n, SUM(quantity) AS q, AVG(price) AS p FROM trades GROUP BY symbol;
