-- expect: bind error: unknown column in a CTE
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
WITH big AS (SELECT symbol, price FROM trades WHERE quantity > 100)
SELECT quantity FROM big;
