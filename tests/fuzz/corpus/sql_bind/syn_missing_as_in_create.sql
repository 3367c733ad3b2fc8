-- expect: syntax error: CREATE STREAM s SELECT
CREATE STREAM s SELECT * FROM trades;
