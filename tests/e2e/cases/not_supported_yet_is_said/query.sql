-- a construct that parses and binds but does not execute yet must say so, not misbehave
CREATE STREAM joined AS
SELECT a.symbol, (SELECT b.symbol FROM 'file://in.csv' b WHERE b.symbol = a.symbol) AS top FROM 'file://in.csv' a
INTO 'file://out.jsonl';
