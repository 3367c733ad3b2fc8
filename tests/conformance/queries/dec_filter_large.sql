-- conformance: values near 10^12
SELECT id, price FROM trades WHERE price >= 100000000000
