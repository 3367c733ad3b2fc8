-- expect: warning: CREATE TABLE AS without GROUP BY or PRIMARY KEY has no key (every row replaces the last one)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE TABLE latest AS SELECT symbol, price FROM trades;
