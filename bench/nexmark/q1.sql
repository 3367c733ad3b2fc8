-- Nexmark q1: currency conversion. Every bid with its price in euros (dollars x 0.908): a
-- projection with exact DECIMAL arithmetic.
CREATE STREAM bid (event_type BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
                   url VARCHAR, dateTime TIMESTAMP, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');

SELECT auction, bidder, 0.908 * price AS price, dateTime, extra
FROM bid
WHERE event_type = 2;
