-- expect: warning: unknown option 'heder' for file:// (did you mean 'header'?)
CREATE STREAM s (a BIGINT) WITH ('uri' = 'file://s.csv', 'heder' = 'true');
SELECT a FROM s;
