CREATE STREAM s AS SELECT * FROM 'file://no_such_file.csv' INTO 'file://out.jsonl';
