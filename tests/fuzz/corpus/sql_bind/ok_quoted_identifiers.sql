-- expect: valid: quoted identifiers and reserved words as quoted names
CREATE STREAM "select" ("from" BIGINT, "Mixed Case" VARCHAR) WITH ('uri' = 'file://s.csv');
SELECT "from", "Mixed Case" FROM "select";
