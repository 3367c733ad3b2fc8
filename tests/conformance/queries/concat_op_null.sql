-- conformance: || with NULL is NULL
SELECT id, note || '!' AS n FROM trades
