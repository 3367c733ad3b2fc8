-- JSON paths and POSIX regular expressions end to end; malformed JSON text is a row error
CREATE STREAM jx AS
SELECT id,
       JSON_VALUE(payload, '$.user.name') AS name,
       JSON_VALUE(payload, '$.user.tags[0]') AS first_tag,
       JSON_EXTRACT(payload, '$.amount') AS amount,
       JSON_QUERY(payload, '$.user.tags') AS tags,
       JSON_EXISTS(payload, '$.user.tags[1]') AS has_two_tags,
       REGEXP_MATCHES(code, '^ord-[0-9]+', 'i') AS is_order,
       REGEXP_REPLACE(code, '([A-Za-z]+)-([0-9]+)', '\2:\1') AS swapped,
       REGEXP_REPLACE(code, '[0-9]', '#', 'g') AS masked,
       ARRAY_LENGTH(SPLIT(code, '-')) AS parts
FROM 'file://in.jsonl'
WHERE JSON_EXISTS(payload, '$.user')
INTO 'file://out.jsonl'
WITH ('dlq' = 'file://dead.jsonl');
