-- conformance: IN on BIGINT
SELECT id, qty FROM trades WHERE qty IN (0, 1, 2, 3)
