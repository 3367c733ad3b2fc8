CREATE STREAM ratios AS
SELECT id, a / b AS ratio, a * b AS product
FROM 'file://in.csv'
INTO 'file://out.jsonl'
WITH ('dlq' = 'file://dead.jsonl');
