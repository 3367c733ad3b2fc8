-- expect: bind error: SELECT DISTINCT cannot ORDER BY a column it does not select (as PostgreSQL and DuckDB)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT DISTINCT symbol FROM trades ORDER BY price;
