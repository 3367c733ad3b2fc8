-- conformance: RIGHT JOIN dim x trades (the small side on the left)
-- requires: joins
SELECT d.symbol AS dsym, t.id, t.side FROM dim d RIGHT JOIN trades t ON d.symbol = t.symbol
