-- conformance: CROSS-style JOIN ON TRUE with a filter
-- requires: joins
SELECT d.symbol AS dsym, t.id FROM dim d JOIN trades t ON TRUE WHERE t.id < 1010
