-- conformance: IF
-- requires: functions
-- known-difference: velo-sql bug: IF(flag, 'yes', 'no') is rejected at bind time ('IF: cannot compare BOOLEAN with VARCHAR'): the condition is unified with the branches
SELECT id, IF(flag, 'yes', 'no') AS f FROM trades
