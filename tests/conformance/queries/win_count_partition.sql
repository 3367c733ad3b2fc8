-- conformance: COUNT over the partition
-- requires: window-functions
SELECT id, symbol, COUNT(price) OVER (PARTITION BY side) AS n FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
