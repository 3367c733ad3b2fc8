-- scalar functions end to end: exact DECIMAL results, UTF-8 in characters, domain errors dead-lettered
CREATE STREAM fx AS
SELECT id,
       TRIM(name) AS trimmed, LTRIM(name) AS l, RTRIM(name) AS r,
       UPPER(TRIM(name)) AS up, REVERSE(TRIM(name)) AS rev, LENGTH(TRIM(name)) AS len,
       LEFT(TRIM(name), 3) AS left3, RIGHT(TRIM(name), 2) AS right2,
       LPAD(CAST(id AS VARCHAR), 4, '0') AS padded, RPAD(TRIM(name), 8, '.') AS rpadded,
       REPLACE(name, '-', '+') AS replaced, SPLIT_PART(name, '-', 2) AS part2,
       POSITION('c', TRIM(name)) AS pos_c, CONCAT_WS('|', id, NULL, name) AS joined,
       CEIL(price) AS c, FLOOR(price) AS f, TRUNCATE(price, 1) AS t, ROUND(price, 2) AS rnd,
       SIGN(price) AS sg, MOD(qty, 5) AS m, POWER(qty, 0.5) AS pw, SQRT(qty) AS sq, LN(qty) AS ln_qty,
       GREATEST(price, 10) AS g, LEAST(qty, 5) AS lst, IF(price > 10, 'big', 'small') AS size
FROM 'file://in.csv'
WHERE STARTS_WITH(name, 'x') = FALSE
INTO 'file://out.jsonl'
WITH ('dlq' = 'file://dead.jsonl');
