-- expect: valid: FROM (subquery) alias
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT s.symbol FROM (SELECT symbol, price FROM trades WHERE price > 1) s;
