-- expect: syntax error: trailing comma in a column list
CREATE STREAM s (a BIGINT, b VARCHAR,) WITH ('uri' = 'file://s.csv');
