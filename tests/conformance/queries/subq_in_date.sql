-- conformance: IN (subquery) over DATE
-- requires: subqueries
SELECT symbol, listed FROM dim WHERE listed IN (SELECT listed FROM dim WHERE weight > 0)
