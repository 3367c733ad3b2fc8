-- expect: bind error: source needs a 'uri' property
CREATE STREAM s (a BIGINT) WITH ('format' = 'csv');
SELECT a FROM s;
