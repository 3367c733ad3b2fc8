-- the build side of a join keeps every row of its input: past 'state.max.bytes' the job fails with a
-- message naming the limit instead of exhausting memory
SET 'state.max.bytes' = '64KB';
CREATE TABLE big (k BIGINT PRIMARY KEY, v VARCHAR) WITH ('uri' = 'file://big.csv');
CREATE STREAM s (k BIGINT) WITH ('uri' = 'file://s.csv');
SELECT s.k, big.v FROM s JOIN big ON s.k = big.k;
