-- The nexmark:// source: 5,000 generated events are 100 persons, 300 auctions and 4,600 bids,
-- with person and auction ids counting up from 1000.
CREATE STREAM events (event_type BIGINT, id BIGINT, price DECIMAL(18, 2), dateTime TIMESTAMP)
    WITH ('uri' = 'nexmark://?events=5000&seed=1');

SELECT event_type, COUNT(*) AS n, MIN(id) AS first_id, MAX(id) AS last_id, COUNT(price) AS priced,
       MIN(dateTime) AS first_time, MAX(dateTime) AS last_time
FROM events
GROUP BY event_type;
