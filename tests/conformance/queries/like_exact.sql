-- conformance: LIKE without wildcards is equality
SELECT id FROM trades WHERE side LIKE 'buy'
