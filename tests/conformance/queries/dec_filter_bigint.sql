-- conformance: DECIMAL compared with BIGINT
SELECT id FROM trades WHERE price > qty
