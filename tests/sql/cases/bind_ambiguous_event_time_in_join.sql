-- expect: bind error: both sources declare an event time, so `_event_time` needs its alias
CREATE STREAM trades (symbol VARCHAR, price DECIMAL(12,2), ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE STREAM quotes (symbol VARCHAR, bid DECIMAL(12,2), ts TIMESTAMP)
    WITH ('uri' = 'file://quotes.csv', 'event.time.field' = 'ts');
SELECT t.symbol, q._event_time AS quoted_at, _event_time FROM trades t JOIN quotes q ON t.symbol = q.symbol WITHIN 1m;
