-- Tally system of record. Forward-only; every file runs once, in its own transaction.

create table organisations (
  id uuid primary key default gen_random_uuid(),
  name text not null check (length(name) between 1 and 200),
  consolidation_approach text not null default 'operational_control'
    check (consolidation_approach in ('operational_control', 'financial_control', 'equity_share')),
  created_at timestamptz not null default now()
);

-- Legal entities and sites form a tree inside one organisation.
create table entities (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references organisations (id) on delete cascade,
  parent_id uuid,
  code text not null check (length(code) between 1 and 100),
  name text not null,
  kind text not null check (kind in ('legal_entity', 'site')),
  country char(2) not null check (country ~ '^[A-Z]{2}$'),
  ownership_pct numeric(7, 4) not null default 100 check (ownership_pct >= 0 and ownership_pct <= 100),
  created_at timestamptz not null default now(),
  unique (org_id, code),
  unique (org_id, id),
  foreign key (org_id, parent_id) references entities (org_id, id)
);

-- Keys are shown once; only a SHA-256 of the whole token is kept. The prefix finds the row.
create table api_keys (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references organisations (id) on delete cascade,
  name text not null,
  prefix text not null unique,
  secret_sha256 bytea not null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table gwp_sets (
  id text primary key,
  name text not null,
  horizon_years int not null,
  source text not null
);

create table gwp_values (
  gwp_set_id text not null references gwp_sets (id),
  gas text not null,
  value numeric not null check (value > 0),
  primary key (gwp_set_id, gas)
);

-- A published factor set never changes; a new edition is a new set. The checksum of the source
-- file makes imports idempotent.
create table factor_sets (
  id text primary key,
  source text not null,
  edition text not null,
  publication_year int not null,
  licence text not null,
  region text not null,
  gwp_basis text references gwp_sets (id),
  file_name text not null,
  checksum_sha256 text not null unique,
  factor_count int not null,
  skipped_rows jsonb not null default '[]',
  imported_at timestamptz not null default now()
);

create table emission_factors (
  id text primary key,
  factor_set_id text not null references factor_sets (id),
  activity_key text not null,
  name text not null,
  scope smallint check (scope in (1, 2, 3)),
  category text not null,
  region text not null,
  year int not null,
  unit text not null,
  co2e numeric,
  gas_basis text not null check (gas_basis in ('co2e', 'mass')),
  gwp_basis text references gwp_sets (id),
  gases jsonb not null,
  source_ref text not null,
  source_rows jsonb not null,
  unique (factor_set_id, activity_key, unit)
);

create table activity_imports (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references organisations (id) on delete cascade,
  format text not null check (format in ('csv', 'ndjson')),
  file_name text,
  idempotency_key text,
  content_sha256 text,
  status text not null default 'loading' check (status in ('loading', 'complete', 'failed')),
  rows_total int not null default 0,
  rows_accepted int not null default 0,
  rows_rejected int not null default 0,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  unique (org_id, idempotency_key)
);

create table activities (
  id bigint generated always as identity primary key,
  org_id uuid not null references organisations (id) on delete cascade,
  import_id uuid not null references activity_imports (id) on delete cascade,
  line_no int not null,
  entity_id uuid not null,
  period_start date not null,
  period_end date not null,
  activity_type text not null,
  quantity numeric not null check (quantity >= 0),
  unit text not null,
  description text,
  supplier text,
  amount numeric,
  currency char(3),
  unique (import_id, line_no),
  foreign key (org_id, entity_id) references entities (org_id, id),
  check (period_end >= period_start)
);
create index activities_org_period on activities (org_id, period_start, id);

create table import_rejections (
  import_id uuid not null references activity_imports (id) on delete cascade,
  line_no int not null,
  errors jsonb not null,
  raw jsonb not null,
  primary key (import_id, line_no)
);

create table calculation_runs (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references organisations (id) on delete cascade,
  period_start date not null,
  period_end date not null,
  factor_set_id text not null references factor_sets (id),
  gwp_set_id text not null references gwp_sets (id),
  status text not null default 'queued'
    check (status in ('queued', 'running', 'complete', 'failed', 'cancelled')),
  chunk_size int not null,
  chunks_total int,
  chunks_done int not null default 0,
  rows_total bigint,
  rows_done bigint not null default 0,
  error text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  completed_at timestamptz,
  check (period_end >= period_start)
);
create index calculation_runs_org on calculation_runs (org_id, status, completed_at desc);

create table calculation_chunks (
  run_id uuid not null references calculation_runs (id) on delete cascade,
  chunk_no int not null,
  first_activity_id bigint not null,
  last_activity_id bigint not null,
  row_count int not null,
  status text not null default 'pending' check (status in ('pending', 'done')),
  completed_at timestamptz,
  primary key (run_id, chunk_no)
);

-- One row per activity and run, with its lineage. The primary key is what makes a retried chunk
-- unable to write twice.
create table calculation_results (
  run_id uuid not null references calculation_runs (id) on delete cascade,
  activity_id bigint not null references activities (id) on delete cascade,
  org_id uuid not null,
  entity_id uuid not null,
  period_start date not null,
  chunk_no int not null,
  status text not null check (status in ('calculated', 'unmatched', 'failed')),
  factor_id text references emission_factors (id),
  factor_set_id text,
  factor_source_ref text,
  scope smallint,
  category text,
  unit_from text,
  unit_to text,
  unit_multiplier numeric,
  unit_assumption text,
  gwp_set_id text not null,
  co2e_method text,
  co2e_kg numeric,
  co2_kg numeric,
  ch4_kg numeric,
  n2o_kg numeric,
  gas_kg jsonb,
  reason text,
  detail text,
  primary key (run_id, activity_id)
);
