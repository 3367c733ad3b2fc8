-- 'event.time.field' may name epoch milliseconds (a JSON number: BIGINT) or ISO-8601 text, not only
-- a TIMESTAMP column; a value that is neither goes to the dead-letter queue with the reason
SET 'dlq' = 'file://dlq.jsonl';
CREATE STREAM by_ms AS
SELECT sym, window_start, COUNT(*) AS n FROM 'file://ms.jsonl?event.time.field=ts'
GROUP BY sym WINDOW TUMBLING(10s) ORDER BY sym INTO 'file://ms_out.jsonl';
CREATE STREAM by_iso AS
SELECT sym, window_start, COUNT(*) AS n FROM 'file://iso.jsonl'
GROUP BY sym WINDOW TUMBLING(10s) ORDER BY sym INTO 'file://iso_out.jsonl' WITH ('event.time.field' = 'ts');
