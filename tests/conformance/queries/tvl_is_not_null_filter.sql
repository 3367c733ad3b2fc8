-- conformance: IS NOT NULL filter
SELECT id, price FROM trades WHERE price IS NOT NULL AND fee IS NULL
