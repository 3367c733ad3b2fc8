-- SESSION(30s) per user over an out-of-order bounded file: row 4 (10:00:20) bridges ana's sessions
-- [10:00:00, 10:00:30) and [10:00:40, 10:01:10) into one; 10:01:10 is exactly the gap after
-- 10:00:40 and starts a new session; Zoë's rows are 30 s apart: two sessions.
-- Then a CREATE TABLE ... AS SELECT: an upsert changelog keyed by user.
CREATE STREAM t (id BIGINT, ts TIMESTAMP, user VARCHAR, amount DECIMAL(10,2))
  WITH ('uri' = 'file://t.jsonl', 'event.time.field' = 'ts');
CREATE STREAM sessions AS
SELECT user, window_start, window_end, COUNT(*) AS n, SUM(amount) AS total
FROM t GROUP BY user WINDOW SESSION(30s) INTO 'file://sessions.jsonl';
CREATE TABLE totals AS
SELECT user, SUM(amount) AS total, COUNT(*) AS n FROM t GROUP BY user INTO 'file://totals.jsonl';
