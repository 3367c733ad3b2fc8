-- 'group.local.max.groups' bounds the local tables of a GROUP BY split over cores: a count, 0 = off.
SET 'group.local.max.groups' = 'lots';
SELECT k, SUM(v) AS s FROM 'file://in.csv?format=csv&header=true' GROUP BY k;
