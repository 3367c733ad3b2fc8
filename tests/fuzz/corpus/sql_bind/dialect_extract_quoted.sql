-- expect: valid (original dialect): EXTRACT('YEAR', col)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT EXTRACT('YEAR', ts) AS y, EXTRACT('HOUR', ts) AS h FROM trades;
