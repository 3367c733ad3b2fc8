-- Nexmark q8: monitor new users. Persons who opened an account and created an auction in the same
-- 10-second tumbling window: a windowed join of persons and auctions.
CREATE STREAM person (event_type BIGINT, id BIGINT, name VARCHAR, emailAddress VARCHAR,
                      creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime TIMESTAMP, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');
CREATE STREAM auction (event_type BIGINT, id BIGINT, itemName VARCHAR, description VARCHAR,
                       initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP, expires TIMESTAMP,
                       seller BIGINT, category BIGINT, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');

SELECT P.id, P.name, P.starttime
FROM (
    SELECT id, name, window_start AS starttime, window_end AS endtime
    FROM person WHERE event_type = 0
    GROUP BY id, name WINDOW TUMBLING(10s)
) AS P
INNER JOIN (
    SELECT seller, window_start AS starttime, window_end AS endtime
    FROM auction WHERE event_type = 1
    GROUP BY seller WINDOW TUMBLING(10s)
) AS A
ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;
