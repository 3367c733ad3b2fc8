-- expect: syntax error: CRATE STREAM
CRATE STREAM s AS SELECT * FROM trades;
