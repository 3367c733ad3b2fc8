-- every error of a file is reported, not just the first
CREATE STREAM a AS SELECT x, FROM 'file://in.csv';
CREATE STREAM b AS SELECT y FROM 'file://in.csv' WHERE;
