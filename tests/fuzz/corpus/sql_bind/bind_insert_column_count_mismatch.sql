-- expect: bind error: INSERT column count differs from the query
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE STREAM out (a VARCHAR, b BIGINT) WITH ('uri' = 'file://out.jsonl');
INSERT INTO out (a, b) SELECT symbol FROM trades;
