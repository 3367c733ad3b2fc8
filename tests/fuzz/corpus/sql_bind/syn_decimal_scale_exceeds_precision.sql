-- expect: syntax error: DECIMAL(4,6)
CREATE STREAM s (a DECIMAL(4,6)) WITH ('uri' = 'file://s.csv');
