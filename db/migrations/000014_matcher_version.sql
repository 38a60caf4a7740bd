-- The matcher version a run matched rows by text with (MATCHER_VERSION in @tally/core), recorded
-- when the run is planned; null for runs planned before it was recorded. An incremental run
-- recalculates the base run's text matches when the versions differ (reason matcher_changed).
alter table calculation_runs add column matcher_version text;
alter table calculation_run_changes drop constraint calculation_run_changes_reason_check;
alter table calculation_run_changes add constraint calculation_run_changes_reason_check
  check (reason in ('new_activity', 'previously_unresolved', 'factor_sets_changed', 'matcher_changed', 'mappings_changed', 'economics_changed'));
