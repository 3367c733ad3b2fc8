-- expect: syntax error: CREATE STREAM where
CREATE STREAM where AS SELECT * FROM trades;
