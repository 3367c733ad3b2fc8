-- conformance: NOT BETWEEN
SELECT id, qty FROM trades WHERE qty NOT BETWEEN 1 AND 999
