-- ORDER BY on an unbounded stream (a Kafka topic) never finishes: the planner warns and running it
-- is an error at the ORDER BY, before any connection is made
CREATE STREAM trades (id BIGINT, symbol VARCHAR, price DECIMAL(12,2))
  WITH ('uri' = 'kafka://localhost:9092/trades');
SELECT id, price FROM trades ORDER BY price DESC;
