-- expect: valid: SET and statement WITH options
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SET 'on.error' = 'dlq';
CREATE STREAM s AS SELECT * FROM trades INTO 'file://s.jsonl' WITH ('dlq' = 'file://rejected.jsonl');
