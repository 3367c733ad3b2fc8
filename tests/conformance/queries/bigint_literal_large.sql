-- conformance: large BIGINT literals
SELECT symbol, 9223372036854775807 AS mx, -9223372036854775807 - 1 AS mn FROM dim
