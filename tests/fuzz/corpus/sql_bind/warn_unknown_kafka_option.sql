-- expect: warning: unknown option 'bootstrap.server' for kafka://
CREATE STREAM k (a BIGINT) WITH ('uri' = 'kafka://b:9092/t', 'bootstrap.server' = 'b:9092');
SELECT a FROM k;
