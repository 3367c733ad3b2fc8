-- conformance: IS TRUE over a NULL comparison
SELECT id, (price > 100) IS NOT TRUE AS a FROM trades
