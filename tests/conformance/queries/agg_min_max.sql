-- conformance: MIN/MAX of every type
-- requires: aggregation
SELECT MIN(id) AS a, MAX(id) AS b, MIN(price) AS c, MAX(price) AS d, MIN(ts) AS e, MAX(ts) AS f, MIN(symbol) AS g, MAX(symbol) AS h FROM trades
