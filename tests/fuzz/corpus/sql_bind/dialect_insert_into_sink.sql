-- expect: valid (original dialect): INSERT INTO sink SELECT
CREATE STREAM alerts (symbol VARCHAR) WITH ('uri' = 'file://alerts.jsonl');
INSERT INTO alerts SELECT symbol FROM 'kafka://broker:9092/trades' WHERE price > 1000;
