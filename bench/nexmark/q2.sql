-- Nexmark q2: selection. The bids on every 123rd auction: a filter that keeps few rows.
CREATE STREAM bid (event_type BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
                   url VARCHAR, dateTime TIMESTAMP, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');

SELECT auction, price
FROM bid
WHERE event_type = 2 AND auction % 123 = 0;
