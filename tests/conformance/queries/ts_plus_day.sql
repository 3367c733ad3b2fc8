-- conformance: TIMESTAMP + INTERVAL day
SELECT id, ts + INTERVAL '1' DAY AS a FROM trades
