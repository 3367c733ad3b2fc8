-- expect: valid (original dialect): '<name>.type'='kafka_source' settings
CREATE STREAM trades AS SELECT * FROM trades_src INTO trades_out
WITH ('trades_src.type' = 'kafka_source', 'trades_src.bootstrap.servers' = 'broker:9092', 'trades_src.topic' = 'trades',
      'trades_out.type' = 'file_sink', 'trades_out.path' = 'out.jsonl');
