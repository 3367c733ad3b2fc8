-- event-time windows over a bounded, out-of-order file without a watermark: every window closes at
-- the end of the input, so out-of-order rows still count (results do not depend on arrival order)
CREATE STREAM t (id BIGINT, ts TIMESTAMP, symbol VARCHAR, price DECIMAL(12,2), qty BIGINT)
  WITH ('uri' = 'file://t.csv', 'event.time.field' = 'ts');
CREATE STREAM tumbling AS
SELECT symbol, window_start, window_end, COUNT(*) AS n, SUM(qty) AS q
FROM t GROUP BY symbol WINDOW TUMBLING(1m) INTO 'file://tumbling.jsonl';
CREATE STREAM sliding AS
SELECT window_start, COUNT(*) AS n FROM t WINDOW SLIDING(ts, 2m, 1m) INTO 'file://sliding.jsonl';
