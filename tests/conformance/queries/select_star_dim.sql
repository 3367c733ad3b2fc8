-- conformance: SELECT * over the dim table (DATE, DECIMAL(6,3))
SELECT * FROM dim
