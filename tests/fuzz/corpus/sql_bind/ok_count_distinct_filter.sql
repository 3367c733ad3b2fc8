-- expect: valid: COUNT(DISTINCT x) and FILTER (WHERE ...)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, COUNT(DISTINCT side), COUNT(*) FILTER (WHERE side = 'BUY') FROM trades GROUP BY symbol;
