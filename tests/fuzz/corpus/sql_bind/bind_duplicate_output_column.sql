-- expect: bind error: CREATE STREAM with two columns named 'x'
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE STREAM s AS SELECT symbol AS x, side AS x FROM trades;
