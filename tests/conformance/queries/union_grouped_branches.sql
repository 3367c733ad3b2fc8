-- conformance: UNION ALL of grouped branches
-- requires: union
SELECT symbol, COUNT(*) AS n FROM trades GROUP BY symbol UNION ALL SELECT sector, COUNT(*) FROM dim GROUP BY sector
