-- Incremental recalculation (issue 5): a run may start from an earlier complete run of the same
-- organisation and period, recalculate only the activities that a change can have touched, and
-- carry every other result forward unchanged. The run says which: its summary (carried and
-- recalculated counts by reason) and one row per recalculated activity with the reason.
alter table calculation_runs add column base_run_id uuid references calculation_runs (id) on delete set null;
-- {"baseRunId", "mode": "incremental" | "full", "fullReason", "carried", "recalculated", "reasons": {reason: n}}
alter table calculation_runs add column incremental jsonb;

create table calculation_run_changes (
  run_id uuid not null references calculation_runs (id) on delete cascade,
  activity_id bigint not null,
  reason text not null check (reason in ('new_activity', 'previously_unresolved', 'factor_sets_changed', 'mappings_changed', 'economics_changed')),
  primary key (run_id, activity_id)
);
