-- The recalculation fleet: chunks that keep failing are parked here instead of occupying the job
-- queue; the operator retries or discards them. A run with a parked chunk stays 'running' (it is
-- never reported complete) until the chunk is retried successfully, or ends 'failed' on discard.
create table dead_letters (
  id uuid primary key default gen_random_uuid(),
  run_id uuid not null references calculation_runs (id) on delete cascade,
  chunk_no int not null,
  task text not null,
  payload jsonb not null,
  error text not null,
  -- job attempts spent on this chunk across every parking (a retried letter that fails again adds to it)
  attempts int not null,
  redrives int not null default 0,
  first_failed_at timestamptz not null default now(),
  last_failed_at timestamptz not null default now(),
  status text not null default 'parked' check (status in ('parked', 'retried', 'discarded')),
  resolved_by text,
  resolved_at timestamptz,
  unique (run_id, chunk_no)
);
create index dead_letters_parked on dead_letters (run_id) where status = 'parked';

-- One row per live worker process: graphile-worker locks jobs under its pool id (worker_id here);
-- the ids of the pool's workers are kept too. A row whose beat is older than the timeout is a
-- process proven dead: its locks are released with graphile_worker.force_unlock_workers.
create table worker_heartbeats (
  worker_id text primary key,
  worker_ids text[] not null default '{}',
  pid int not null,
  host text not null,
  started_at timestamptz not null default now(),
  beat_at timestamptz not null default now()
);
