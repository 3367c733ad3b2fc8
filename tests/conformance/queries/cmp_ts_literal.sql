-- conformance: TIMESTAMP compared with a literal
SELECT id, ts FROM trades WHERE ts >= TIMESTAMP '2026-01-05 10:00:00' AND ts < TIMESTAMP '2026-01-05 10:05:00'
