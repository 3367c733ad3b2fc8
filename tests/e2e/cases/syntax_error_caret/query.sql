-- a typo: FORM instead of FROM
CREATE STREAM s AS
SELECT id, price FORM 'file://in.csv'
INTO 'file://out.jsonl';
