-- 'table.mode' is 'partitioned' (the default) or 'broadcast'; anything else is an error naming it
CREATE TABLE t (k BIGINT PRIMARY KEY, v VARCHAR) WITH ('uri' = 'file://t.csv', 'table.mode' = 'replicated');
CREATE STREAM s (k BIGINT) WITH ('uri' = 'file://s.csv');
SELECT s.k, t.v FROM s JOIN t ON s.k = t.k;
