-- --cores 0 is a usage error (exit 2), before anything runs
SELECT 1 AS one;
