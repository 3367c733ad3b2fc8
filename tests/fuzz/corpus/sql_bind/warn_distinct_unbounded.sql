-- expect: warning: DISTINCT on an unbounded source keeps every distinct row
SELECT DISTINCT symbol FROM 'kafka://broker:9092/trades';
