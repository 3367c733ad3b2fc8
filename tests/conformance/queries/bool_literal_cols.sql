-- conformance: boolean literals
SELECT symbol, TRUE AS t, FALSE AS f, NOT TRUE AS nt FROM dim
