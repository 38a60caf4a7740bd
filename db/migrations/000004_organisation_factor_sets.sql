-- Organisation factor sets: an organisation's own factors (supplier-specific, contractual
-- instruments, residual mix...) live beside the published ones, so runs, results' factor_id and
-- lineage work unchanged. org_id null = published, shared by everyone. An organisation set is one
-- version of a named series; a new version supersedes the previous one, which is never modified.
alter table factor_sets
  add column org_id uuid references organisations (id),
  add column series text,
  add column version int,
  add column supersedes text references factor_sets (id),
  add column retired_at timestamptz,
  add column description text,
  add constraint factor_sets_org_series_version unique (org_id, series, version),
  add constraint factor_sets_org_versioned check (org_id is null or (series is not null and version >= 1));
create index factor_sets_org on factor_sets (org_id) where org_id is not null;

alter table emission_factors
  add column kind text not null default 'published'
    check (kind in ('published', 'supplier_specific', 'contractual_instrument', 'residual_mix', 'custom')),
  add column supplier text,
  -- Contractual instrument (EAC, PPA...): type, tracking system, volume, validity, certificates.
  add column instrument jsonb;
