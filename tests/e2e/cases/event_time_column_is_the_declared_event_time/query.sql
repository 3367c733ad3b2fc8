-- `_event_time` is the declared event time ('event.time.field', epoch ms or ISO-8601 text) as a
-- TIMESTAMP, as ksqlDB's ROWTIME; `_timestamp` of a file row is its own `_timestamp` field (hidden
-- from SELECT *, read as a TIMESTAMP). A CSV TIMESTAMP column reads epoch milliseconds too.
CREATE STREAM declared AS
SELECT sym, _event_time, EXTRACT(SECOND FROM _event_time) AS s, _timestamp,
       DATE_FORMAT(_timestamp, '%Y-%m-%d %H:%M') AS stamped
FROM 'file://in.jsonl?event.time.field=ts' INTO 'file://declared.jsonl';
CREATE STREAM star AS SELECT * FROM 'file://in.jsonl' INTO 'file://star.jsonl';
CREATE STREAM windowed AS
SELECT sym, window_start, MAX(_event_time) AS last_seen, COUNT(*) AS n
FROM 'file://in.jsonl?event.time.field=ts'
GROUP BY sym WINDOW TUMBLING(10s) ORDER BY sym INTO 'file://windowed.jsonl';
-- without 'event.time.field' a file row's own `_event_time` field is read
CREATE STREAM undeclared AS
SELECT sym, _event_time FROM 'file://in.csv' INTO 'file://undeclared.jsonl';
CREATE STREAM csv_declared AS
SELECT sym, e._event_time FROM 'file://in.csv?event.time.field=ts' e INTO 'file://csv_declared.jsonl';
