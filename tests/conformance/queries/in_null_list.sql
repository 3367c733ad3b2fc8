-- conformance: IN with a NULL in the list
SELECT id, qty IN (1, NULL) AS a FROM trades
