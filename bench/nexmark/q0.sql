-- Nexmark q0: pass-through. Every bid, unchanged: measures the cost of reading, decoding and
-- writing the events.
CREATE STREAM bid (event_type BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
                   url VARCHAR, dateTime TIMESTAMP, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');

SELECT auction, bidder, price, dateTime, extra
FROM bid
WHERE event_type = 2;
