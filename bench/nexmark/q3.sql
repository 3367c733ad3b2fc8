-- Nexmark q3: local item suggestion. Who sells in category 10 in Oregon, Idaho or California:
-- a stream-stream join of auctions and persons on the seller.
CREATE STREAM auction (event_type BIGINT, id BIGINT, itemName VARCHAR, description VARCHAR,
                       initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP, expires TIMESTAMP,
                       seller BIGINT, category BIGINT, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');
CREATE STREAM person (event_type BIGINT, id BIGINT, name VARCHAR, emailAddress VARCHAR,
                      creditCard VARCHAR, city VARCHAR, state VARCHAR, dateTime TIMESTAMP, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');

SELECT P.name, P.city, P.state, A.id
FROM auction AS A
INNER JOIN person AS P ON A.seller = P.id
WHERE A.event_type = 1 AND P.event_type = 0 AND A.category = 10
  AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA');
