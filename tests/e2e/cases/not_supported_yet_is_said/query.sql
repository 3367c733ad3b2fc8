-- a construct that parses and binds but does not execute yet must say so, not misbehave
CREATE STREAM totals AS
SELECT symbol, SUM(price) AS total FROM 'file://in.csv' GROUP BY symbol INTO 'file://out.jsonl';
