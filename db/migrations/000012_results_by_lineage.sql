-- Results by reference (issue 5, throughput path). A run writes one row per activity, but the
-- rows of a run share few distinct lineages (factor, source row, unit conversion, GWP set, how
-- the factor was resolved or matched): writing the lineage text on every row made each result
-- row ~450 bytes and the chunk commit the run's bottleneck. Each distinct lineage is now stored
-- once per run (calculation_lineages) and each result row names it (lineage_id) next to its own
-- numbers. The view calculation_results gives every reader the same columns as before, and
-- inserts through it (INSTEAD OF trigger) still work, so the audit trail of every row is complete.
--
-- calculation_result_rows has no foreign keys per row: a foreign-key check locks the referenced
-- activity and run rows once per result row, which tripled the cost of a chunk commit. Result
-- rows are only written by the chunk commit, for activities it has just read, under the lock of
-- the chunk and run rows; the lineage table keeps the references to the run and the factor.

alter table calculation_results rename to calculation_results_old;

create table calculation_lineages (
  run_id uuid not null references calculation_runs (id) on delete cascade,
  -- md5 of the lineage's content, as a uuid, so the same lineage written by two chunks is one row
  -- (the worker hashes its own JSON of it: one lineage under two ids would be harmless)
  lineage_id uuid not null,
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
  reason text,
  detail text,
  resolution text,
  method text,
  conversion jsonb,
  match jsonb,
  primary key (run_id, lineage_id)
);
create index calculation_lineages_review on calculation_lineages (run_id) where reason in ('NEEDS_REVIEW', 'NO_MATCH');

create table calculation_result_rows (
  run_id uuid not null,
  activity_id bigint not null,
  org_id uuid not null,
  entity_id uuid not null,
  period_start date not null,
  chunk_no int not null,
  lineage_id uuid not null,
  co2e_kg numeric,
  co2_kg numeric,
  ch4_kg numeric,
  n2o_kg numeric,
  -- gas_kg without the CO2, CH4 and N2O entries (kept in their columns); null when gas_kg is null
  other_gas_kg jsonb,
  co2e_variants jsonb,
  primary key (run_id, activity_id)
);

-- The content key of a lineage written through the view.
create function calculation_lineage_id(l calculation_lineages) returns uuid language sql immutable as $$
  select md5(jsonb_build_array(l.status, l.factor_id, l.factor_set_id, l.factor_source_ref, l.scope, l.category, l.unit_from, l.unit_to,
    l.unit_multiplier::text, l.unit_assumption, l.gwp_set_id, l.co2e_method, l.reason, l.detail, l.resolution, l.method, l.conversion, l.match)::text)::uuid
$$;

-- The same columns, in the same order, as the table this replaces.
create view calculation_results as
  select r.run_id, r.activity_id, r.org_id, r.entity_id, r.period_start, r.chunk_no, l.status, l.factor_id, l.factor_set_id, l.factor_source_ref,
    l.scope, l.category, l.unit_from, l.unit_to, l.unit_multiplier, l.unit_assumption, l.gwp_set_id, l.co2e_method, r.co2e_kg,
    r.co2_kg, r.ch4_kg, r.n2o_kg,
    case when r.other_gas_kg is null then null
         else r.other_gas_kg || jsonb_strip_nulls(jsonb_build_object('CO2', r.co2_kg::text, 'CH4', r.ch4_kg::text, 'N2O', r.n2o_kg::text)) end as gas_kg,
    l.reason, l.detail, l.resolution, l.method, l.conversion, r.co2e_variants, l.match
  from calculation_result_rows r join calculation_lineages l on l.run_id = r.run_id and l.lineage_id = r.lineage_id;

create function calculation_results_insert() returns trigger language plpgsql as $$
declare
  l calculation_lineages;
begin
  -- gas_kg is stored as its CO2/CH4/N2O columns plus the rest: they must agree to give it back.
  if new.gas_kg is not null and ((new.gas_kg ->> 'CO2') is distinct from new.co2_kg::text
      or (new.gas_kg ->> 'CH4') is distinct from new.ch4_kg::text or (new.gas_kg ->> 'N2O') is distinct from new.n2o_kg::text) then
    raise exception 'calculation_results: gas_kg % disagrees with co2_kg/ch4_kg/n2o_kg', new.gas_kg using errcode = '23514';
  end if;
  l := row(new.run_id, null, new.status, new.factor_id, new.factor_set_id, new.factor_source_ref, new.scope, new.category, new.unit_from,
    new.unit_to, new.unit_multiplier, new.unit_assumption, new.gwp_set_id, new.co2e_method, new.reason, new.detail, new.resolution,
    new.method, new.conversion, new.match)::calculation_lineages;
  l.lineage_id := calculation_lineage_id(l);
  insert into calculation_lineages values (l.*) on conflict do nothing;
  insert into calculation_result_rows (run_id, activity_id, org_id, entity_id, period_start, chunk_no, lineage_id, co2e_kg, co2_kg, ch4_kg, n2o_kg, other_gas_kg, co2e_variants)
  values (new.run_id, new.activity_id, new.org_id, new.entity_id, new.period_start, new.chunk_no, l.lineage_id, new.co2e_kg, new.co2_kg, new.ch4_kg,
    new.n2o_kg, new.gas_kg - 'CO2' - 'CH4' - 'N2O', new.co2e_variants);
  return new;
end
$$;
create trigger calculation_results_insert instead of insert on calculation_results for each row execute function calculation_results_insert();

-- Existing results move over unchanged (through the view's trigger).
insert into calculation_results select * from calculation_results_old;
drop table calculation_results_old;
