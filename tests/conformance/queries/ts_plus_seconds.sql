-- conformance: TIMESTAMP + INTERVAL seconds
SELECT id, ts + INTERVAL '90' SECOND AS a FROM trades
