-- a construct that parses and binds but does not execute yet must say so, not misbehave
CREATE STREAM ranked AS
SELECT symbol, price, RANK() OVER (PARTITION BY symbol ORDER BY price) AS r FROM 'file://in.csv' INTO 'file://out.jsonl';
