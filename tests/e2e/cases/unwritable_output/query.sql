CREATE STREAM s AS SELECT * FROM 'file://in.csv' INTO 'file://no_such_dir/out.jsonl';
