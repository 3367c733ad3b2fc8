-- conformance: x::type cast syntax
SELECT id, price::BIGINT AS p, qty::DECIMAL(12,3) AS q FROM trades
