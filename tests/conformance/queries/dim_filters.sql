-- conformance: dim table with NULL DECIMAL and DATE
SELECT symbol, sector, weight FROM dim WHERE weight IS NULL OR listed IS NULL OR sector IS NULL
