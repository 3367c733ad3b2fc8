-- A stream-stream FULL JOIN bounded by a predicate on both event times instead of WITHIN: a quote
-- joins a trade when it comes 0 to 10 s after it (q.qts BETWEEN t.ts AND t.ts + 10 s, so
-- t.ts - q.qts is in [-10 s, 0]). The columns the predicate compares are the join's event times;
-- 'watermark.delay' = '0s' gives each input a watermark (its largest time seen). The inputs are
-- read in turns (trades first). Each side is pruned by its own end of the bound: a trade once the
-- watermark passes its time + 10 s, a quote as soon as the watermark passes its time (no trade still
-- to come can be before it). Expected, in emission order:
--   trade 4 has no event time: it can never join, out at once with NULLs;
--   quote A 09:00:02 joins trade 1;
--   quote B 09:00:20 moves the watermark to 09:00:20: trade 3 (09:00:05, out of order in its file)
--     can match nothing more (09:00:05 + 10 s < 09:00:20): out with NULLs right then;
--   quote A 09:00:01 is late (behind the watermark): dropped, counted, to the dead-letter queue;
--   quote A 09:00:35 joins trade 2 and moves the watermark to 09:00:30: quote B 09:00:20 is behind
--     it, no trade to come can precede it: out with NULLs now (WITHIN 10 s would keep it to the end);
--   quote A 09:00:36 joins trade 2 as well.
CREATE STREAM trades (id BIGINT, symbol VARCHAR, ts TIMESTAMP)
  WITH ('uri' = 'file://trades.csv', 'watermark.delay' = '0s');
CREATE STREAM quotes (symbol VARCHAR, qts TIMESTAMP)
  WITH ('uri' = 'file://quotes.csv', 'watermark.delay' = '0s');
CREATE STREAM matched AS
SELECT t.id, t.ts, q.symbol AS qsym, q.qts FROM trades t FULL JOIN quotes q
  ON t.symbol = q.symbol AND q.qts BETWEEN t.ts AND t.ts + INTERVAL '10' SECOND
INTO 'file://out.jsonl' WITH ('late.records' = 'dlq', 'dlq' = 'file://late.jsonl');
