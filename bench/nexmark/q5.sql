-- Nexmark q5: hot items. The auctions with the most bids in each 10-second window sliding every
-- 2 seconds: a sliding-window count per auction joined with the per-window maximum.
CREATE STREAM bid (event_type BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
                   url VARCHAR, dateTime TIMESTAMP, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');

SELECT AuctionBids.auction, AuctionBids.num, AuctionBids.starttime
FROM (
    SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
    FROM bid WHERE event_type = 2
    GROUP BY auction WINDOW SLIDING(10s, 2s)
) AS AuctionBids
INNER JOIN (
    SELECT MAX(CountBids.num) AS maxn, CountBids.starttime, CountBids.endtime
    FROM (
        SELECT auction, COUNT(*) AS num, window_start AS starttime, window_end AS endtime
        FROM bid WHERE event_type = 2
        GROUP BY auction WINDOW SLIDING(10s, 2s)
    ) AS CountBids
    GROUP BY CountBids.starttime, CountBids.endtime
) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime AND AuctionBids.endtime = MaxBids.endtime
   AND AuctionBids.num >= MaxBids.maxn;
