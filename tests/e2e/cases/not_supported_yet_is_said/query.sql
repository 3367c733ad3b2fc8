-- a construct that parses and binds but does not execute yet must say so, not misbehave
CREATE STREAM ranked AS
SELECT DISTINCT symbol FROM 'file://in.csv' INTO 'file://out.jsonl';
