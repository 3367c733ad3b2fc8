-- --bind t=URI replaces only where the declared stream reads from: its column types (price stays
-- DECIMAL, ts a TIMESTAMP) and its 'event.time.field' still apply to the bound file
CREATE STREAM t (sym VARCHAR, price DECIMAL(10,2), ts TIMESTAMP)
  WITH ('uri' = 'file://declared_but_absent.jsonl', 'event.time.field' = 'ts');
CREATE STREAM w AS
SELECT sym, window_start, SUM(price) AS total FROM t GROUP BY sym WINDOW TUMBLING(10s)
ORDER BY sym, window_start INTO 'file://out.jsonl';
