-- expect: warning (exit 0): INSERT INTO an undeclared sink is not checked offline; declare it or --bind
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
INSERT INTO nowhere SELECT * FROM trades;
