-- IN / NOT IN over a subquery with SQL's three-valued logic: x NOT IN (a set holding NULL) is never
-- TRUE; over an empty set IN is FALSE and NOT IN TRUE even for a NULL x. Scalar subqueries give the one
-- value (NULL for no row); EXISTS is TRUE when the subquery has a row.
CREATE STREAM t (id BIGINT, sym VARCHAR) WITH ('uri' = 'file://t.csv');
CREATE STREAM withnull (sym VARCHAR, n BIGINT) WITH ('uri' = 'file://withnull.csv');
CREATE STREAM nonull (sym VARCHAR) WITH ('uri' = 'file://nonull.csv');
CREATE STREAM empty (sym VARCHAR) WITH ('uri' = 'file://empty.csv');
SELECT id,
       sym IN (SELECT sym FROM withnull) AS in_n, sym NOT IN (SELECT sym FROM withnull) AS not_in_n,
       sym IN (SELECT sym FROM nonull) AS in_nn, sym NOT IN (SELECT sym FROM nonull) AS not_in_nn,
       sym IN (SELECT sym FROM empty) AS in_e, sym NOT IN (SELECT sym FROM empty) AS not_in_e,
       (SELECT MAX(sym) FROM nonull) AS top, (SELECT sym FROM empty) AS none,
       EXISTS (SELECT 1 FROM empty) AS ex_e, NOT EXISTS (SELECT 1 FROM nonull) AS nex
FROM t ORDER BY id;
