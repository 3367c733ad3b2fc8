-- conformance: NOT LIKE with NULLs
SELECT id, note FROM trades WHERE note NOT LIKE '%a%'
