-- A stream-stream FULL JOIN with a time bound and a watermark ('watermark.delay' = '0s' on both
-- inputs): the inputs are read in turns (trades first, then quotes); the join's watermark is the
-- smaller of the two inputs' (largest event time seen minus the delay). Expected, in emission order:
--   trade 4 has no event time: it can never join, out at once with NULLs;
--   quote A 09:00:02 joins trade 1 (2 s apart);
--   quote B 09:00:20 moves the watermark to 09:00:20: trade 3 (09:00:05, out of order in its file)
--     can match nothing more (09:00:05 + 10 s < 09:00:20) and goes out with NULLs right then;
--   quote A 09:00:01 is late (behind the watermark): dropped and counted, to the dead-letter queue;
--   quote A 09:00:35 joins trade 2;
--   when trades end, quote B 09:00:20 is past the bound of anything to come: out with NULLs.
CREATE STREAM trades (id BIGINT, symbol VARCHAR, ts TIMESTAMP)
  WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts', 'watermark.delay' = '0s');
CREATE STREAM quotes (symbol VARCHAR, qts TIMESTAMP)
  WITH ('uri' = 'file://quotes.csv', 'event.time.field' = 'qts', 'watermark.delay' = '0s');
CREATE STREAM matched AS
SELECT t.id, t.ts, q.symbol AS qsym, q.qts FROM trades t FULL JOIN quotes q ON t.symbol = q.symbol
WITHIN INTERVAL '10' SECOND
INTO 'file://out.jsonl' WITH ('late.records' = 'dlq', 'dlq' = 'file://late.jsonl');
