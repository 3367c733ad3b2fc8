CREATE STREAM trades (symbol VARCHAR, price DECIMAL(12,2), ts BIGINT) WITH ('uri' = 'file://t.jsonl', 'event.time.field' = 'ts');
CREATE STREAM quotes (symbol VARCHAR, bid DECIMAL(12,2), ts VARCHAR) WITH ('uri' = 'file://q.jsonl', 'event.time.field' = 'ts');
SELECT symbol, _event_time, EVENT_TIME_OF(ts), _timestamp FROM trades;
SELECT t.symbol, t._event_time, q._event_time FROM trades t JOIN quotes q ON t.symbol = q.symbol WITHIN 1m;
SELECT symbol, MAX(_event_time) FROM trades GROUP BY symbol WINDOW TUMBLING(1m);
SELECT * FROM trades WINDOW TUMBLING(30s);
