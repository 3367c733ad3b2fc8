-- A JSON-lines file split over cores: rows of a slice that starts mid-file are numbered without
-- counting the lines before it first; a rejected record or a failed row still names its file line.
CREATE STREAM t (k BIGINT, v BIGINT) WITH ('uri' = 'file://in.jsonl');
SET 'dlq' = 'file://dead.jsonl';
SELECT k, SUM(v) AS s, COUNT(*) AS n, SUM(10 / (v - 4500)) AS d FROM t GROUP BY k ORDER BY k;
