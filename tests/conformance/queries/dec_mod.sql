-- conformance: DECIMAL % DECIMAL takes the dividend's sign
SELECT id, price % 7.5 AS a, fee % 2 AS b FROM trades
