-- DuckDB form of q7: 10 s tumbling windows with time_bucket; dateTime of B1 is the window end.
SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra
FROM bid AS B
JOIN (
    SELECT MAX(price) AS maxprice,
           time_bucket(INTERVAL '10 seconds', dateTime) + INTERVAL '10 seconds' AS dateTime
    FROM bid WHERE event_type = 2
    GROUP BY time_bucket(INTERVAL '10 seconds', dateTime)
) AS B1 ON B.price = B1.maxprice
WHERE B.event_type = 2
  AND B.dateTime BETWEEN B1.dateTime - INTERVAL '10 seconds' AND B1.dateTime
