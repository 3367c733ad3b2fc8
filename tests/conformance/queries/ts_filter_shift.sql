-- conformance: filter on shifted TIMESTAMP
SELECT id FROM trades WHERE ts + INTERVAL '30' MINUTE < TIMESTAMP '2026-01-05 10:05:00'
