-- a construct that parses and binds but does not execute yet must say so, not misbehave
CREATE STREAM joined AS
SELECT a.symbol, b.price FROM 'file://in.csv' a JOIN 'file://in.csv' b ON a.symbol = b.symbol WITHIN INTERVAL '5' SECOND
INTO 'file://out.jsonl';
