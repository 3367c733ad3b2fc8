-- expect: bind error: scalar subquery returns 2 columns
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, (SELECT symbol, price FROM trades) FROM trades;
