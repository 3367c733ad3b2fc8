-- expect: valid: string functions
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT UPPER(symbol), LOWER(side), LENGTH(symbol), CONCAT(symbol, '-', side), symbol || '!' FROM trades;
