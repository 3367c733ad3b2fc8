-- conformance: RANK DESC on DECIMAL
-- requires: window-functions
SELECT id, symbol, RANK() OVER (PARTITION BY side ORDER BY price DESC NULLS LAST) AS r FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
