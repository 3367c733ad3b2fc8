-- conformance: DISTINCT with ORDER BY
-- requires: order-by
SELECT DISTINCT side FROM trades WHERE side IS NOT NULL ORDER BY side
