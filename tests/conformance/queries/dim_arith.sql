-- conformance: DECIMAL(6,3) arithmetic with literals
SELECT symbol, weight * 1000 AS w, weight / 8 AS d, -weight AS n FROM dim
