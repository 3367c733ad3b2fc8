-- conformance: LIKE on text with commas
SELECT id, note FROM trades WHERE note LIKE '%,%'
