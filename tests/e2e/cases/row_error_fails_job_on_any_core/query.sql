-- 'on.error'='fail': a row error stops the job with exit code 4, whichever core read the row
-- (at --cores 2 the row is in the second core's slice of the file) and the others stop too.
SET 'on.error' = 'fail';
CREATE STREAM t (id BIGINT, k VARCHAR, d BIGINT) WITH ('uri' = 'file://in.jsonl');
CREATE STREAM o AS SELECT k, SUM(id / d) AS s FROM t GROUP BY k INTO 'file://out.jsonl';
