-- conformance: BETWEEN on DECIMAL with negatives
SELECT id, price FROM trades WHERE price BETWEEN -1.00 AND 1.5
