-- a watched table is read whole before the stream (latest row per key, a NULL key to the
-- dead-letter queue), follows its file while the stream runs, and the job ends with the stream
CREATE TABLE prices (sym VARCHAR PRIMARY KEY, price BIGINT) WITH ('uri' = 'file://prices.csv', 'watch' = 'true');
SELECT o.id, o.sym, p.price FROM 'file://orders.csv' o LEFT JOIN prices p ON o.sym = p.sym
INTO 'file://out.jsonl';
