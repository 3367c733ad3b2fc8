-- expect: bind error: unknown function 'UPPPER'; did you mean 'UPPER'?
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT UPPPER(symbol) FROM trades;
