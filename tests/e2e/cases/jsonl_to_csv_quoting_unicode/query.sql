CREATE STREAM people AS
SELECT id, name, UPPER(name) AS upper_name, LENGTH(name) AS name_len, note, amount
FROM 'file://in.jsonl'
INTO 'file://out.csv?format=csv&header=true';
