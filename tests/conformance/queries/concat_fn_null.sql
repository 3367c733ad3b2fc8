-- conformance: CONCAT of NULLs
SELECT id, CONCAT(note, symbol) AS c FROM trades
