-- expect: syntax error: CREATE STREM
CREATE STREM s AS SELECT * FROM trades;
