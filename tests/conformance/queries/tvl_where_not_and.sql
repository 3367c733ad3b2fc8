-- conformance: WHERE NOT over AND with NULLs
SELECT id FROM trades WHERE NOT (flag AND qty > 100)
