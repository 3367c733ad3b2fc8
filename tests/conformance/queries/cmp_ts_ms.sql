-- conformance: TIMESTAMP comparison at millisecond precision
SELECT id, ts FROM trades WHERE ts = TIMESTAMP '2026-01-05 09:30:00.151'
