-- conformance: TIMESTAMP + INTERVAL
SELECT id, ts + INTERVAL '5' MINUTE AS a, ts - INTERVAL '1' HOUR AS b FROM trades
