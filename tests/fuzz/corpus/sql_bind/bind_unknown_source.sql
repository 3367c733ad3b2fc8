-- expect: bind error: unknown source 'tardes' (did you mean 'trades'? / declare or --bind)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol FROM tardes;
