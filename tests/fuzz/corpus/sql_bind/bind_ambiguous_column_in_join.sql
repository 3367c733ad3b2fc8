-- expect: bind error: column 'symbol' is ambiguous (trades, quotes)
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE STREAM quotes (symbol VARCHAR, bid DECIMAL(12,2), ask DECIMAL(12,2), ts TIMESTAMP)
    WITH ('uri' = 'file://quotes.csv', 'event.time.field' = 'ts');
SELECT symbol FROM trades t JOIN quotes q ON t.symbol = q.symbol WITHIN INTERVAL '1' MINUTE;
