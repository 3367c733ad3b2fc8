-- expect: valid: Kafka metadata columns
SELECT _key, _partition, _offset, _timestamp, symbol FROM 'kafka://broker:9092/trades';
