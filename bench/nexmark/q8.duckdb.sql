-- DuckDB form of q8: 10 s tumbling windows with time_bucket.
SELECT P.id, P.name, P.starttime
FROM (
    SELECT id, name, time_bucket(INTERVAL '10 seconds', dateTime) AS starttime
    FROM person WHERE event_type = 0 GROUP BY ALL
) AS P
JOIN (
    SELECT seller, time_bucket(INTERVAL '10 seconds', dateTime) AS starttime
    FROM auction WHERE event_type = 1 GROUP BY ALL
) AS A ON P.id = A.seller AND P.starttime = A.starttime
