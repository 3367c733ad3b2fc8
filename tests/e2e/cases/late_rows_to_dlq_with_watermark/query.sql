-- with 'watermark.delay' a window closes once the watermark (max event time seen - delay) passes its
-- end; a row arriving after that is late: counted, and sent to the dead-letter queue when asked
CREATE STREAM t (id BIGINT, ts TIMESTAMP, symbol VARCHAR, price DECIMAL(12,2), qty BIGINT)
  WITH ('uri' = 'file://t.csv', 'event.time.field' = 'ts', 'watermark.delay' = '0s');
CREATE STREAM w AS SELECT symbol, window_start, COUNT(*) AS n FROM t GROUP BY symbol WINDOW TUMBLING(1m)
INTO 'file://w.jsonl' WITH ('late.records' = 'dlq', 'dlq' = 'file://late.jsonl');
