-- An organisation's confirmed mappings from row text to a factor key, set from the review queue
-- (or directly). Rules are never edited: a change retires the rule and adds another, so the
-- lineage of past results (rule id and who set it) stays true.
create table mapping_rules (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references organisations (id) on delete cascade,
  kind text not null check (kind in ('exact', 'contains', 'regex')),
  field text not null check (field in ('description', 'supplier', 'account', 'category')),
  pattern text not null check (length(pattern) between 1 and 500),
  factor_key text not null check (length(factor_key) between 1 and 300),
  created_by text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz
);
create unique index mapping_rules_live on mapping_rules (org_id, kind, field, lower(pattern)) where retired_at is null;
