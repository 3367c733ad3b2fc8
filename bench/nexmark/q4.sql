-- Nexmark q4: average closing price per category. The winning (highest) bid of each auction
-- placed while it was open, then the average of those per category.
CREATE STREAM auction (event_type BIGINT, id BIGINT, itemName VARCHAR, description VARCHAR,
                       initialBid BIGINT, reserve BIGINT, dateTime TIMESTAMP, expires TIMESTAMP,
                       seller BIGINT, category BIGINT, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');
CREATE STREAM bid (event_type BIGINT, auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR,
                   url VARCHAR, dateTime TIMESTAMP, extra VARCHAR)
    WITH ('uri' = 'nexmark://?events=100000&seed=42', 'event.time.field' = 'dateTime');

SELECT Q.category, AVG(Q.final) AS avg_final
FROM (
    SELECT MAX(B.price) AS final, A.category
    FROM auction AS A
    INNER JOIN bid AS B ON A.id = B.auction
    WHERE A.event_type = 1 AND B.event_type = 2
      AND B.dateTime BETWEEN A.dateTime AND A.expires
    GROUP BY A.id, A.category
) AS Q
GROUP BY Q.category;
