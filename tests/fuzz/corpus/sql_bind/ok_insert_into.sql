-- expect: valid: INSERT INTO a declared sink
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE STREAM out (symbol VARCHAR, price DECIMAL(12,2)) WITH ('uri' = 'file://out.jsonl');
INSERT INTO out SELECT symbol, price FROM trades;
