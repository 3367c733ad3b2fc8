CREATE STREAM casts AS
SELECT CAST(i AS DOUBLE) AS i_double,
       CAST(i AS DECIMAL(10, 2)) AS i_dec,
       CAST(d AS BIGINT) AS d_int,
       CAST(d AS VARCHAR) AS d_text,
       CAST(d AS DOUBLE) AS d_double,
       TRY_CAST(s AS BIGINT) AS s_int,
       CAST(f AS DECIMAL(10, 3)) AS f_dec,
       CAST(t AS VARCHAR) AS t_text,
       CAST(i > 0 AS VARCHAR) AS b_text,
       d::DECIMAL(5, 1) AS d_rounded
FROM 'file://in.csv'
INTO 'file://out.jsonl';
