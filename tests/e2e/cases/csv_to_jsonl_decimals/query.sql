-- exact decimal arithmetic from CSV to JSON lines
CREATE STREAM notional AS
SELECT id,
       symbol || '/' || CAST(id AS VARCHAR) AS tag,
       price * qty AS notional,
       price + fee AS price_plus_fee,
       price - fee AS price_minus_fee,
       price / 3 AS third,
       -price AS neg,
       CASE WHEN price * qty > 100000 THEN 'big' WHEN qty < 0 THEN 'short' ELSE 'small' END AS size,
       price > 100.000 AS over_100
FROM 'file://in.csv?format=csv&header=true'
WHERE id <> 3 OR qty >= 2500
INTO 'file://out.jsonl?format=jsonl';
