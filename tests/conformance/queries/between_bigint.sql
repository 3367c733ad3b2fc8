-- conformance: BETWEEN on BIGINT (inclusive)
SELECT id, qty FROM trades WHERE qty BETWEEN 10 AND 20
