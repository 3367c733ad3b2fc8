-- expect: valid: `symbol` is a quoted identifier (MySQL style) or a lexical error; check
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT `symbol` FROM trades;
