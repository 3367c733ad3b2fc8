-- expect: valid (original dialect): _window_start, _window_end, _event_time
CREATE STREAM trades (symbol VARCHAR, side VARCHAR, price DECIMAL(12,2), quantity BIGINT, ts TIMESTAMP)
    WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
SELECT symbol, _window_start, _window_end, MAX(_event_time) AS last_seen, COUNT(*) FROM trades GROUP BY symbol WINDOW TUMBLING(1m);
