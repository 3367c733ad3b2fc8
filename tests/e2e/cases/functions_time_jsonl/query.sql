-- time functions end to end over JSON lines; a text that does not match its format is dead-lettered
CREATE STREAM tx AS
SELECT id,
       EXTRACT(YEAR FROM ts) AS y, EXTRACT(DOW FROM ts) AS dow, EXTRACT(WEEK FROM ts) AS wk,
       EXTRACT(EPOCH FROM ts) AS ep, EXTRACT('doy', CAST(d AS DATE)) AS doy,
       DATE_TRUNC('hour', CAST(ts AS TIMESTAMP)) AS hr, DATE_TRUNC('week', CAST(d AS DATE)) AS wk_start,
       DATE_FORMAT(CAST(ts AS TIMESTAMP), '%a %d %b %Y %H:%M:%S.%f (%j)') AS fmt,
       DATEDIFF('month', CAST(d AS DATE), CAST(ts AS TIMESTAMP)) AS months,
       DATE_ADD('month', 1, CAST(d AS DATE)) AS next_month,
       FROM_UNIXTIME(epoch) AS from_epoch, UNIX_TIMESTAMP(CAST(ts AS TIMESTAMP)) AS unix,
       TO_TIMESTAMP(txt, '%d/%m/%Y %H:%M:%S') AS parsed,
       NOW() > CAST('2024-01-01' AS TIMESTAMP) AS clock_runs
FROM 'file://in.jsonl'
INTO 'file://out.jsonl'
WITH ('dlq' = 'file://dead.jsonl');
