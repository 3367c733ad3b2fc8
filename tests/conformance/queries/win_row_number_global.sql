-- conformance: ROW_NUMBER over everything
-- requires: window-functions
SELECT id, symbol, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM trades WHERE ts IS NOT NULL AND id IS NOT NULL
