-- expect: bind error: cannot apply '+' to VARCHAR and BIGINT
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol + quantity FROM trades;
