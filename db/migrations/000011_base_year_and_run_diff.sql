-- Base year (GHG Protocol Corporate Standard, chapter 5): the year an organisation tracks its
-- emissions against, and the share by which restated base-year figures may move before the base
-- year must be recalculated (5% by default).
alter table organisations add column base_year int check (base_year between 1990 and 2100);
alter table organisations add column restatement_threshold numeric(5, 4) not null default 0.05
  check (restatement_threshold > 0 and restatement_threshold <= 1);

-- The base-year figure of record: the run reported for the base year and its totals, recorded when
-- the base year is set or first reported, and again each time a restatement is accepted. Never
-- updated except to mark it superseded, so the history of restatements stays readable.
create table base_year_records (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references organisations (id) on delete cascade,
  base_year int not null,
  run_id uuid not null references calculation_runs (id) on delete cascade,
  consolidation_approach text not null,
  scope1_co2e_kg numeric not null,
  scope2_location_co2e_kg numeric not null,
  scope3_co2e_kg numeric not null,
  co2e_kg numeric not null,
  reason text not null check (reason in ('base_year_set', 'first_reported', 'restatement_accepted')),
  recorded_by text not null check (length(recorded_by) between 1 and 200),
  note text check (length(note) <= 2000),
  recorded_at timestamptz not null default clock_timestamp(),
  superseded_at timestamptz
);
create unique index base_year_records_current on base_year_records (org_id) where superseded_at is null;
create index base_year_records_history on base_year_records (org_id, recorded_at desc);

