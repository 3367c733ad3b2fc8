-- conformance: comparison with NULL yields NULL, WHERE drops it
SELECT id FROM trades WHERE qty = NULL
