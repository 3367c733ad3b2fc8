-- nested JSON-lines values: JSON functions read them, text is their JSON, equality ignores key order
-- (the original Velostream's behaviour for these forms, see docs/sql/compatibility.md)
CREATE STREAM nv AS
SELECT id,
       JSON_EXISTS(doc, '$.user.name') AS has_name,
       JSON_EXTRACT(doc, '$.user.age') AS age,
       JSON_EXTRACT(doc, '$.tags.0') AS first_tag,
       JSON_EXTRACT(doc, '$.active') AS active,
       JSON_QUERY(doc, '$.tags') AS tags,
       CONCAT('Numbers: ', numbers) AS numbers_text,
       CAST(meta AS VARCHAR) AS meta_text,
       MAP_KEYS(meta) AS meta_keys,
       numbers = ARRAY(1, 2, 3) AS ascending,
       meta = MAP('key2', 42, 'key1', 'value1') AS same_meta,
       CONCAT('Order ', id, ' at $', ROUND(amount, 2)) AS summary,
       SPLIT_PART(csv, ',', 0) AS part0,
       CONCAT() AS empty
FROM 'file://in.jsonl'
INTO 'file://out.jsonl';
