-- expect: bind error: UNION inputs have 2 and 1 columns
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, price FROM trades UNION ALL SELECT symbol FROM trades;
