-- Each run's snapshot of what its organisation's purchase categories hold (categoryProfile.ts in
-- @tally/core): the terms a category's distinct descriptions share, taken when the run is planned
-- from the activities it covers. The matcher lends a category's terms to a terse line of it, so a
-- run's text matches depend on this snapshot and nothing else; an incremental run recalculates a
-- base run's text match when the row's category profile differs (reason category_changed).
create table run_category_profiles (
  run_id uuid not null references calculation_runs (id) on delete cascade,
  category text not null,
  -- md5 of the canonical JSON of (descriptions, terms): what an incremental run compares
  digest text not null,
  descriptions integer not null check (descriptions >= 2),
  terms jsonb not null,
  primary key (run_id, category)
);
alter table calculation_run_changes drop constraint calculation_run_changes_reason_check;
alter table calculation_run_changes add constraint calculation_run_changes_reason_check
  check (reason in ('new_activity', 'previously_unresolved', 'factor_sets_changed', 'matcher_changed', 'category_changed', 'mappings_changed', 'economics_changed'));
-- What planning reads the profiles from: only rows that have both a category and a description.
create index activities_categorised on activities (org_id, period_start) where category is not null and description is not null;
