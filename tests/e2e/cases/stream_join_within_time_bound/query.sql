-- stream-stream join with a time bound: a trade and a quote join when their event times are at most
-- 5 seconds apart (either order, input out of order). FULL keeps the unmatched rows of both sides
-- with NULLs; a row without event time never joins.
CREATE STREAM trades (id BIGINT, symbol VARCHAR, ts TIMESTAMP, price DECIMAL(10,2))
  WITH ('uri' = 'file://trades.csv', 'event.time.field' = 'ts');
CREATE STREAM quotes (symbol VARCHAR, qts TIMESTAMP, bid DECIMAL(10,2))
  WITH ('uri' = 'file://quotes.csv', 'event.time.field' = 'qts');
CREATE STREAM matched AS
SELECT t.id, q.symbol AS qsym, q.bid FROM trades t FULL JOIN quotes q ON t.symbol = q.symbol WITHIN INTERVAL '5' SECOND
ORDER BY t.id NULLS LAST, q.bid
INTO 'file://out.jsonl';
