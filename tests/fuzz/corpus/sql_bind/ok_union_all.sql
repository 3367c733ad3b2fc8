-- expect: valid: UNION ALL of compatible inputs
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, price FROM trades WHERE side = 'BUY'
UNION ALL
SELECT symbol, price FROM trades WHERE side = 'SELL';
