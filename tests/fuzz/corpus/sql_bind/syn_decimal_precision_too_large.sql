-- expect: syntax error: DECIMAL(39,2)
CREATE STREAM s (a DECIMAL(39,2)) WITH ('uri' = 'file://s.csv');
