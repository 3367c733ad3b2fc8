-- conformance: NULL OR TRUE is TRUE
SELECT id, flag OR TRUE AS a, NULL OR flag AS b FROM trades
