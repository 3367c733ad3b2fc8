-- expect: bind error: DESCRIBE of a name close to a declared one (typo), did you mean 'trades'?
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
DESCRIBE trade;
