-- DuckDB form of q5: a bid at t is in the 10 s windows starting every 2 s in (t - 10 s, t].
WITH CountBids AS (
    SELECT auction, COUNT(*) AS num,
           time_bucket(INTERVAL '2 seconds', dateTime) - k * INTERVAL '2 seconds' AS starttime
    FROM bid CROSS JOIN range(0, 5) AS r(k)
    WHERE event_type = 2
    GROUP BY ALL
), MaxBids AS (
    SELECT starttime, MAX(num) AS maxn FROM CountBids GROUP BY starttime
)
SELECT C.auction, C.num, C.starttime
FROM CountBids AS C JOIN MaxBids AS M ON C.starttime = M.starttime AND C.num >= M.maxn
