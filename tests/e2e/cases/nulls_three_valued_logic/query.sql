CREATE STREAM out AS
SELECT k,
       a,
       b,
       s,
       a = b AS eq,
       a > 0 AND b > 0 AS both_pos,
       a > 0 OR b > 0 AS any_pos,
       NOT (a > 0) AS not_pos,
       a IS NULL AS a_null,
       s IS NULL AS s_null,
       COALESCE(a, b, -1) AS first_val,
       a + b AS total,
       s || '!' AS shout,
       CASE WHEN a > b THEN 'gt' WHEN a <= b THEN 'le' ELSE 'unknown' END AS cmp
FROM 'file://in.csv?format=csv&header=true'
WHERE NOT (a = 0 AND b = 1) OR a IS NULL
INTO 'file://out.jsonl';
