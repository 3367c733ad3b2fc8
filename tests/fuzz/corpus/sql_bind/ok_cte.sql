-- expect: valid: WITH name AS (...)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
WITH buys AS (SELECT * FROM trades WHERE side = 'BUY')
SELECT symbol, COUNT(*) FROM buys GROUP BY symbol;
