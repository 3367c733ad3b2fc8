-- expect: syntax error: COUNT(DISTINCT *) is not SQL
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT COUNT(DISTINCT *) FROM trades;
