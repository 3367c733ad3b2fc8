-- expect: syntax error: WITH ('uri')
CREATE STREAM s (a BIGINT) WITH ('uri');
