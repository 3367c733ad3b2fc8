-- conformance: DECIMAL comparison in WHERE
SELECT id, price FROM trades WHERE price > 500.00
