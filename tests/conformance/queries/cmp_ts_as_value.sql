-- conformance: TIMESTAMP comparison as a value
SELECT id, ts > TIMESTAMP '2026-01-05 09:45:00' AS late FROM trades
