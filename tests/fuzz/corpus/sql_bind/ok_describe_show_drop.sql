-- expect: valid: DESCRIBE, SHOW, DROP
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
DESCRIBE trades;
SHOW STREAMS;
SHOW FUNCTIONS;
DROP STREAM trades;
DROP STREAM IF EXISTS nothing;
