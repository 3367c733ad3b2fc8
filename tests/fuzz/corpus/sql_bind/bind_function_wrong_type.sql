-- expect: bind error: UPPER expects VARCHAR as argument 1, found BIGINT
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT UPPER(quantity) FROM trades;
