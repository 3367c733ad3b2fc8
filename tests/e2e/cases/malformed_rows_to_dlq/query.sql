CREATE STREAM trades (id BIGINT, price DECIMAL(10, 2), qty BIGINT)
    WITH ('uri' = 'file://in.csv?format=csv&header=true');

CREATE STREAM totals AS
SELECT id, price * qty AS total FROM trades
INTO 'file://out.jsonl'
WITH ('dlq' = 'file://dead.jsonl');
