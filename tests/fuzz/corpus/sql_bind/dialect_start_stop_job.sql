-- expect: valid (original dialect): START JOB ... AS SELECT and STOP JOB
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
START JOB big_trades AS SELECT symbol, price FROM trades WHERE quantity > 1000;
STOP JOB big_trades;
