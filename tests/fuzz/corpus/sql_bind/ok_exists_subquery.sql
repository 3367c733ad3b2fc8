-- expect: valid: correlated EXISTS
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE TABLE refdata (symbol VARCHAR, sector VARCHAR, PRIMARY KEY (symbol))
    WITH ('uri' = 'file://refdata.csv');
SELECT * FROM trades t WHERE EXISTS (SELECT 1 FROM refdata r WHERE r.symbol = t.symbol);
