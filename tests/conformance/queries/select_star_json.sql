-- conformance: SELECT * over JSON lines
SELECT * FROM trades_json WHERE qty > 100
