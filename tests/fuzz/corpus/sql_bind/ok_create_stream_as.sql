-- expect: valid: CREATE STREAM AS SELECT INTO a file
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE STREAM big_buys AS SELECT symbol, price FROM trades WHERE quantity >= 1000 INTO 'file://out.jsonl';
