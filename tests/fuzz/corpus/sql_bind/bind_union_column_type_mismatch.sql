-- expect: bind error: UNION column 2 is DECIMAL in one input and TIMESTAMP in another
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, price FROM trades UNION ALL SELECT symbol, ts FROM trades;
