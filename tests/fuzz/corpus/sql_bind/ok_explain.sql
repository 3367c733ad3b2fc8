-- expect: valid: EXPLAIN of a query
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
EXPLAIN SELECT symbol FROM trades WHERE price > 1;
