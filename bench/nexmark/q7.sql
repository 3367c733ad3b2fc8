-- Nexmark q7: highest bid. The bids with the highest price of each 10-second tumbling window:
-- a windowed MAX joined back to the bids of the window.
CREATE STREAM bid (event_type BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
                   url VARCHAR, dateTime TIMESTAMP, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');

SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra
FROM bid AS B
INNER JOIN (
    SELECT MAX(price) AS maxprice, window_end AS dateTime
    FROM bid WHERE event_type = 2
    WINDOW TUMBLING(10s)
) AS B1 ON B.price = B1.maxprice
WHERE B.event_type = 2
  AND B.dateTime BETWEEN B1.dateTime - INTERVAL '10' SECOND AND B1.dateTime;
