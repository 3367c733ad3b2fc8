-- a table read as a changelog (a watched file, a Kafka topic) is keyed: without a PRIMARY KEY
-- there is nothing to upsert or delete, which is said at the join
CREATE TABLE prices (sym VARCHAR, price BIGINT) WITH ('uri' = 'file://prices.csv', 'watch' = 'true');
SELECT o.id, p.price FROM 'file://orders.csv' o JOIN prices p ON o.sym = p.sym;
