-- expect: valid: stream-table join needs no WITHIN
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE TABLE refdata (symbol VARCHAR, sector VARCHAR, PRIMARY KEY (symbol))
    WITH ('uri' = 'file://refdata.csv');
SELECT t.symbol, r.sector FROM trades t JOIN refdata r ON t.symbol = r.symbol;
