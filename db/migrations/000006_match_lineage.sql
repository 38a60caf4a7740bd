-- Rows whose factor was chosen from their text keep the engine's answer: key, method (rule, code,
-- text, none), confidence, the top alternatives and the evidence. Rows held for review keep it too,
-- which is what the review queue groups.
alter table calculation_results add column match jsonb;
create index calculation_results_review on calculation_results (run_id) where reason in ('NEEDS_REVIEW', 'NO_MATCH');
