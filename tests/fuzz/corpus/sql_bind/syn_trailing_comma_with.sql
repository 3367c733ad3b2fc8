-- expect: syntax error: trailing comma in WITH
CREATE STREAM s (a BIGINT) WITH ('uri' = 'file://s.csv',);
