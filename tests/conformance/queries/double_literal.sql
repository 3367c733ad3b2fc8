-- conformance: DOUBLE literals and arithmetic
SELECT symbol, 1.5e3 AS a, 2E-4 * 3 AS b, 1.0e0 / 3 AS c FROM dim
