-- conformance: LIKE on CJK text
SELECT id, symbol FROM trades WHERE symbol LIKE '北%' OR note LIKE '%市'
