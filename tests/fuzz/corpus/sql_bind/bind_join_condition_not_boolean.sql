-- expect: bind error: ON must be BOOLEAN
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE STREAM quotes (symbol VARCHAR, bid DECIMAL(12,2), ask DECIMAL(12,2), ts TIMESTAMP)
    WITH ('uri' = 'file://quotes.csv', 'event.time.field' = 'ts');
SELECT t.symbol FROM trades t JOIN quotes q ON t.quantity WITHIN 1m;
