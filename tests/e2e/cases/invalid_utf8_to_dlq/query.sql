CREATE STREAM names AS SELECT id, name FROM 'file://in.csv' INTO 'file://out.jsonl' WITH ('dlq' = 'file://dead.jsonl');
