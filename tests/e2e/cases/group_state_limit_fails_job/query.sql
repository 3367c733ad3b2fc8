-- GROUP BY keeps one group per distinct key: past 'state.max.bytes' the job fails (exit 4) with a
-- message naming the operator, the bytes it holds and the limit, instead of exhausting memory
SET 'state.max.bytes' = '256KB';
CREATE STREAM s (k BIGINT, v BIGINT) WITH ('uri' = 'file://keys.csv');
SELECT k, SUM(v) AS total FROM s GROUP BY k;
