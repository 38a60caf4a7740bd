/**
 * The result rows behind `pnpm bench:report`: generated in bulk, set-based, straight into the
 * system-of-record tables (not through the calculation: that is bench:recalc's job), then copied
 * to ClickHouse with one INSERT ... SELECT that reads Postgres through ClickHouse's postgresql()
 * table function, so both stores hold the same rows.
 */
import type { ClickHouseClient } from '@tally/analytics';
import { EXPORT_VERSION, recordRunExport } from '@tally/analytics';
import { validateOrganisationFactors } from '@tally/core';
import { classifyResult, spendCurrency, storeOrganisationFactorSet, type Db } from '@tally/db';
import type { PoolClient } from 'pg';

export const BENCH_YEARS = [2022, 2023, 2024] as const;
const COUNTRIES = ['GB', 'DE', 'FR', 'US', 'NL', 'ES', 'IT', 'PL', 'SE', 'IE', 'IN', 'CN', 'BR', 'JP', 'CA'];
/** Slots of the per-(year, country) factor table a row picks from: electricity, spend, supplier-specific, the rest activity-based. */
const SLOTS = 1000;
const GRID_SLOTS = 150;
const SPEND_SLOTS = 100;
const SUPPLIER_SLOTS = 30;

export interface BenchDataOptions {
  /** Result rows in all (and as many activities). */
  rows: number;
  /** Organisations; the first is the big one (equity share, a deep entity tree). */
  orgs: number;
  /** Share of all rows in the big organisation's 2024 run. */
  bigShare: number;
}

export interface BenchRun {
  runId: string;
  orgId: string;
  year: number;
  rows: number;
  consolidationApproach: string;
}

/** Deterministic pseudo-random non-negative integer per row and salt (same data on every run). */
const h = (i: string, salt: number) => `abs(hashint8extended(${i}, ${salt}))`;

/** Splits the rows over the organisation-years: the big one gets its share, the rest evenly. */
export function planRows(o: BenchDataOptions): { org: number; year: number; rows: number }[] {
  const big = Math.min(o.rows, Math.round(o.rows * o.bigShare));
  const others: { org: number; year: number }[] = [];
  for (let org = 0; org < o.orgs; org++) for (const year of BENCH_YEARS) if (!(org === 0 && year === 2024)) others.push({ org, year });
  const rest = o.rows - big;
  return [
    { org: 0, year: 2024, rows: big },
    ...others.map((p, k) => ({ ...p, rows: Math.floor(rest / others.length) + (k < rest % others.length ? 1 : 0) })),
  ];
}

const RESULT_COLUMNS = `run_id, activity_id, org_id, entity_id, period_start, chunk_no, status, factor_id, factor_set_id, factor_source_ref, scope, category,
  unit_from, unit_to, unit_multiplier, gwp_set_id, co2e_method, co2e_kg, co2_kg, ch4_kg, n2o_kg, gas_kg, reason, detail, match, method`;
const LINEAGE_COLUMNS = `status, factor_id, factor_set_id, factor_source_ref, scope, category, unit_from, unit_to, unit_multiplier, gwp_set_id, co2e_method, reason, detail, match, method`;

/**
 * Writes the result rows a SELECT gives (RESULT_COLUMNS). calculation_results is a table, or a view
 * over per-run lineages and per-row numbers (000012_results_by_lineage) whose INSTEAD OF trigger
 * works row by row: then the rows are staged once and written to both tables set-based (the
 * lineage id is any stable hash of its content: the migration says so).
 */
async function writeResults(c: PoolClient, select: string): Promise<void> {
  const kind = await c.query<{ relkind: string }>(`select relkind from pg_class where oid = 'calculation_results'::regclass`);
  if (kind.rows[0]?.relkind !== 'v') {
    await c.query(`insert into calculation_results (${RESULT_COLUMNS}) ${select}`);
    return;
  }
  const lineageId = `md5(jsonb_build_array(${LINEAGE_COLUMNS})::text)::uuid`;
  await c.query(`create unlogged table bench_results as ${select}`);
  await c.query(`insert into calculation_lineages (run_id, lineage_id, ${LINEAGE_COLUMNS})
                 select run_id, ${lineageId}, ${LINEAGE_COLUMNS} from (select distinct run_id, ${LINEAGE_COLUMNS} from bench_results) l`);
  await c.query(`insert into calculation_result_rows (run_id, activity_id, org_id, entity_id, period_start, chunk_no, lineage_id, co2e_kg, co2_kg, ch4_kg, n2o_kg, other_gas_kg)
                 select run_id, activity_id, org_id, entity_id, period_start, chunk_no, ${lineageId}, co2e_kg, co2_kg, ch4_kg, n2o_kg, gas_kg - 'CO2' - 'CH4' - 'N2O'
                 from bench_results`);
  await c.query(`drop table bench_results`);
}

/**
 * Organisations with entity trees (group → legal entities with ownership shares → sites in several
 * countries), one complete run per organisation-year, and `rows` activities with one result each:
 * Scope 1, 2 and 3 (categories 1-15 as the factor sets publish them), every month, grid factors of
 * the site's country, DESNZ editions by year, EPA supply-chain spend factors in USD, a
 * supplier-specific set; matched directly, by rule, by code or by text; ~2.5% not calculated.
 */
export async function generateBenchData(db: Db, o: BenchDataOptions): Promise<BenchRun[]> {
  const plan = planRows(o);
  const c = await db.pg.connect();
  try {
    // Bulk load into a fresh database: skip per-row foreign-key triggers (the generator only
    // references rows it has just written). Needs a superuser; without one the load is slower.
    await c.query(`set session_replication_role = replica`).catch(() => undefined);
    await c.query(`insert into factor_sets (id, source, edition, publication_year, licence, region, file_name, checksum_sha256, factor_count, description)
                   values ('bench-supplier-2024', 'Supplier disclosures (bench)', '2024', 2024, 'bench', 'GB', 'bench', 'bench-supplier-2024', 10, 'bench:report')
                   on conflict do nothing`);
    await c.query(`insert into emission_factors (id, factor_set_id, activity_key, name, scope, category, region, year, unit, co2e, gas_basis, gases, source_ref, source_rows, kind, supplier)
                   select 'bench-supplier-2024:' || k, 'bench-supplier-2024', 'supplier/' || f.activity_key, f.name, f.scope, f.category, f.region, 2024, f.unit,
                          round(f.co2e * 0.8, 6), f.gas_basis, f.gases, f.source_ref, '[]', 'supplier_specific', 'Supplier ' || k
                   from (select *, row_number() over (order by id) as k from emission_factors
                         where factor_set_id = 'desnz-2024' and scope in (1, 3) and co2e > 0 and unit in ('kWh', 'litre', 'tonne.km', 'kg')) f
                   where k <= 10 on conflict do nothing`);
    await c.query(`create table bench_orgs (k int primary key, id uuid not null, sites int not null)`);
    await c.query(
      `with o as (insert into organisations (name, consolidation_approach)
                  select 'Bench org ' || k, case when k = 0 then 'equity_share' when k % 3 = 1 then 'financial_control' else 'operational_control' end
                  from generate_series(0, $1 - 1) k returning id, name)
       insert into bench_orgs select substr(name, 11)::int, id, 0 from o`,
      [o.orgs],
    );
    // Group (root) → legal entities → sites; the big organisation has 12 legal entities × 20 sites, the others 3 × 5.
    await c.query(`insert into entities (org_id, code, name, kind, country) select id, 'GROUP', 'Group', 'legal_entity', 'GB' from bench_orgs`);
    await c.query(
      `insert into entities (org_id, parent_id, code, name, kind, country, ownership_pct)
       select b.id, g.id, 'LE-' || lpad(l::text, 2, '0'), 'Legal entity ' || l, 'legal_entity', ($1::text[])[1 + (b.k + l) % cardinality($1::text[])],
              (array[100, 100, 75, 60, 51, 40, 33.3333, 100, 90, 100, 25.5, 100])[1 + l % 12]
       from bench_orgs b join entities g on g.org_id = b.id and g.code = 'GROUP', generate_series(0, case when b.k = 0 then 11 else 2 end) l`,
      [COUNTRIES],
    );
    await c.query(
      `insert into entities (org_id, parent_id, code, name, kind, country, ownership_pct)
       select le.org_id, le.id, le.code || '-S' || lpad(s::text, 3, '0'), 'Site ' || s, 'site',
              case when s % 4 = 3 then ($1::text[])[1 + (s * 7) % cardinality($1::text[])] else le.country end, le.ownership_pct
       from entities le join bench_orgs b on b.id = le.org_id, generate_series(0, case when b.k = 0 then 19 else 4 end) s
       where le.code like 'LE-%'`,
      [COUNTRIES],
    );
    await c.query(`create table bench_sites as select e.org_id, e.id, e.country, (row_number() over (partition by e.org_id order by e.code) - 1)::int as k from entities e join bench_orgs b on b.id = e.org_id where e.kind = 'site'`);
    await c.query(`update bench_orgs b set sites = (select count(*) from bench_sites s where s.org_id = b.id)`);

    // What a row in (year, country) picks by slot: the country's grid factor (latest year ≤ the
    // activity's), USEEIO spend factors, supplier-specific factors, else DESNZ of that year or EPA hub.
    await c.query(`create table bench_slots (year int, country text, slot int, factor_id text)`);
    await c.query(
      `insert into bench_slots
       with y(year) as (select unnest($1::int[])), cc(country) as (select distinct country from entities e join bench_orgs b on b.id = e.org_id),
       grid as (select distinct on (y.year, cc.country) y.year, cc.country, f.id from y cross join cc
                join emission_factors f on f.factor_set_id = 'owid-ember-grid-2025' and f.region = cc.country and f.year <= y.year and f.co2e is not null
                order by y.year, cc.country, f.year desc),
       spend as (select id, row_number() over (order by id) - 1 as k from emission_factors
                 where factor_set_id = 'epa-sc-v1.3.0' and co2e > 0 and id like '%:purchaser'),
       supplier as (select id, row_number() over (order by id) - 1 as k from emission_factors where factor_set_id = 'bench-supplier-2024'),
       pool as (select y.year, f.id, row_number() over (partition by y.year order by f.id) - 1 as k, count(*) over (partition by y.year) as n
                from y join emission_factors f on (f.factor_set_id = 'desnz-' || y.year or f.factor_set_id = 'epa-hub-2025-r2') and f.co2e > 0 and f.kind = 'published'),
       pool_n as (select distinct year, n from pool),
       slots as (select y.year, cc.country, s from y cross join cc cross join generate_series(0, ${SLOTS - 1}) s)
       select s.year, s.country, s.s, coalesce(g.id, sp.id, su.id, p.id)
       from slots s
       left join grid g on s.s < ${GRID_SLOTS} and g.year = s.year and g.country = s.country
       left join spend sp on s.s >= ${GRID_SLOTS} and s.s < ${GRID_SLOTS + SPEND_SLOTS} and sp.k = (s.s * 37) % (select count(*) from spend)
       left join supplier su on s.s >= ${GRID_SLOTS + SPEND_SLOTS} and s.s < ${GRID_SLOTS + SPEND_SLOTS + SUPPLIER_SLOTS} and su.k = s.s % (select count(*) from supplier)
       left join pool_n pn on s.s >= ${GRID_SLOTS + SPEND_SLOTS + SUPPLIER_SLOTS} and pn.year = s.year
       left join pool p on p.year = pn.year and p.k = (s.s * 7919) % pn.n`,
      [BENCH_YEARS],
    );
    const missing = await c.query(`select year, country, count(*) as n from bench_slots where factor_id is null group by 1, 2`);
    if (missing.rows.length) throw new Error(`bench: no factor for ${JSON.stringify(missing.rows)} (is the reference data loaded?)`);
    await c.query(`create table bench_pick as select year, country, array_agg(factor_id order by slot) as ids from bench_slots group by 1, 2`);

    await c.query(`create table bench_plan (org_id uuid, year int, rows int, seed bigint, run_id uuid, import_id uuid, sites int, site_ids uuid[], site_countries text[])`);
    await c.query(
      `insert into bench_plan (org_id, year, rows, seed, sites, site_ids, site_countries)
       select b.id, p.year, p.rows, (row_number() over ()) * 1000000000, b.sites,
              (select array_agg(s.id order by s.k) from bench_sites s where s.org_id = b.id), (select array_agg(s.country order by s.k) from bench_sites s where s.org_id = b.id)
       from unnest($1::int[], $2::int[], $3::int[]) as p(org, year, rows) join bench_orgs b on b.k = p.org`,
      [plan.map((p) => p.org), plan.map((p) => p.year), plan.map((p) => p.rows)],
    );
    // One import and one complete run per organisation-year.
    await c.query(`alter table bench_plan add column k serial`);
    await c.query(`with i as (insert into activity_imports (org_id, format, status, file_name) select org_id, 'csv', 'complete', 'bench-' || k from bench_plan returning id, file_name)
                   update bench_plan p set import_id = i.id from i where i.file_name = 'bench-' || p.k`);
    await c.query(`with r as (insert into calculation_runs (org_id, period_start, period_end, factor_set_id, gwp_set_id, status, chunk_size, chunks_total, chunks_done, rows_total, rows_done, completed_at, options)
                              select org_id, make_date(year, 1, 1), make_date(year, 12, 31), 'desnz-' || year, 'AR5', 'complete', 10000, 1, 1, rows, rows, now(), jsonb_build_object('bench', k)
                              from bench_plan returning id, options)
                   update bench_plan p set run_id = r.id from r where (r.options ->> 'bench')::int = p.k`);

    const i = 'g.i + p.seed';
    await c.query(`
      insert into activities (org_id, import_id, line_no, entity_id, period_start, period_end, activity_type, quantity, unit, attributes)
      select p.org_id, p.import_id, g.i + 2, p.site_ids[g.site], make_date(p.year, g.month, 1), make_date(p.year, g.month, 1) + 27,
             f.activity_key, (1 + ${h(i, 3)} % 500000) / 100.0, f.unit,
             case when ${h(i, 4)} % 10 = 0 then jsonb_build_object('location', ($1::text[])[1 + (${h(i, 4)} / 10) % cardinality($1::text[])]) end
      from bench_plan p
      cross join lateral (select i, 1 + (${h('i + p.seed', 1)} % p.sites)::int as site, 1 + (${h('i + p.seed', 2)} % 12)::int as month,
                                 1 + (${h('i + p.seed', 5)} % ${SLOTS})::int as slot from generate_series(0, p.rows - 1) i) g
      join bench_pick k on k.year = p.year and k.country = p.site_countries[g.site]
      join emission_factors f on f.id = k.ids[g.slot]`,
      [COUNTRIES],
    );
    // Results: 2% unmatched, 0.5% failed, the rest calculated; gases as published per unit × quantity.
    const j = '(a.line_no - 2) + p.seed';
    const u = `${h(j, 6)} % 1000`;
    const calc = `${u} >= 25`;
    const gas = (g: string) => `round(a.quantity * (f.gases ->> '${g}')::numeric, 12)`;
    const results = `
      select p.run_id, a.id as activity_id, a.org_id, a.entity_id, a.period_start, (a.line_no - 2) / 10000 as chunk_no,
             case when ${calc} then 'calculated' when ${u} < 20 then 'unmatched' else 'failed' end as status,
             case when ${calc} then f.id end as factor_id, case when ${calc} then f.factor_set_id end as factor_set_id,
             case when ${calc} then f.source_ref end as factor_source_ref, case when ${calc} then f.scope end as scope, case when ${calc} then f.category end as category,
             a.unit as unit_from, case when ${calc} then f.unit end as unit_to, case when ${calc} then 1 end as unit_multiplier, 'AR5' as gwp_set_id,
             case when ${calc} then 'published_total' end as co2e_method,
             case when ${calc} then round(a.quantity * f.co2e, 12) end as co2e_kg,
             case when ${calc} then ${gas('CO2')} end as co2_kg, case when ${calc} then ${gas('CH4')} end as ch4_kg, case when ${calc} then ${gas('N2O')} end as n2o_kg,
             case when ${calc} then jsonb_strip_nulls(jsonb_build_object('CO2', ${gas('CO2')}, 'CH4', ${gas('CH4')}, 'N2O', ${gas('N2O')})) end as gas_kg,
             case when ${calc} then null when ${u} < 12 then 'NO_FACTOR_FOR_ACTIVITY_TYPE' when ${u} < 20 then 'NO_FACTOR_FOR_REGION' else 'NO_CONVERSION_DATA' end as reason,
             case when not ${calc} then 'bench' end as detail,
             case when not ${calc} then null
                  when ${h(j, 7)} % 100 < 60 then null
                  when ${h(j, 7)} % 100 < 80 then jsonb_build_object('method', 'rule')
                  when ${h(j, 7)} % 100 < 90 then jsonb_build_object('method', 'code')
                  else jsonb_build_object('method', 'text', 'confidence', 0.8) end as match,
             case when ${calc} then case when f.kind = 'supplier_specific' then 'supplier_specific' when f.price_basis is not null then 'spend_based' else 'activity_based' end end as method
      from activities a join bench_plan p on p.import_id = a.import_id
      join bench_sites s on s.id = a.entity_id
      join bench_pick k on k.year = p.year and k.country = s.country
      join emission_factors f on f.id = k.ids[1 + (${h(j, 5)} % ${SLOTS})::int]`;
    await writeResults(c, results);
    await addMarketInstruments(db, c);
    await c.query(`reset session_replication_role`).catch(() => undefined);
    await c.query(`analyze`);
    const runs = await c.query<{ run_id: string; org_id: string; year: number; rows: number; consolidation_approach: string }>(
      `select p.run_id, p.org_id, p.year, p.rows, o.consolidation_approach from bench_plan p join organisations o on o.id = p.org_id order by p.k`,
    );
    return runs.rows.map((r) => ({ runId: r.run_id, orgId: r.org_id, year: r.year, rows: r.rows, consolidationApproach: r.consolidation_approach }));
  } finally {
    c.release();
  }
}

/** Residual mixes (kg CO2e per kWh, of the order of AIB's European residual mixes) of the countries that publish one. */
const RESIDUAL_MIX: Record<string, string> = { GB: '0.357', DE: '0.724', FR: '0.058', NL: '0.532', ES: '0.318', IT: '0.457', PL: '0.823', SE: '0.041', IE: '0.434' };
const GREEN_SUPPLIER = 'Octopus Energy';

/**
 * What market-based Scope 2 applies to the big organisation-year, as a real one holds: a green
 * supplier's own factor for a quarter of its GB sites' electricity, certificates (REGOs, GOs, RECs,
 * I-RECs) covering part of each region's consumption, a PPA held for one legal entity's sites, a
 * supplier's green tariff, and residual mixes where published (the rest falls back to location).
 * Volumes are shares of the generated consumption, so every --rows gives the same mix. Stored as
 * an organisation factor set through the API's code path, and added to the run's sets.
 */
async function addMarketInstruments(db: Db, c: PoolClient): Promise<void> {
  const big = (await c.query<{ org_id: string; run_id: string; import_id: string }>(`select p.org_id, p.run_id, p.import_id from bench_plan p join bench_orgs b on b.id = p.org_id where b.k = 0 and p.year = 2024`)).rows[0]!;
  await c.query(
    `update activities a set supplier = $2 from entities e
     where a.import_id = $1 and e.id = a.entity_id and e.country = 'GB' and a.unit = 'kWh' and a.line_no % 4 = 0`,
    [big.import_id, GREEN_SUPPLIER],
  );
  const consumption = await c.query<{ region: string; mwh: string }>(
    `select upper(coalesce(a.attributes ->> 'location', e.country)) as region, (sum(a.quantity) / 1000)::text as mwh
     from calculation_results r join activities a on a.id = r.activity_id join entities e on e.id = r.entity_id
     where r.run_id = $1 and r.status = 'calculated' and r.scope = 2 and a.unit = 'kWh' and r.category !~* 'heat|steam|cool'
     group by 1 order by 1`,
    [big.run_id],
  );
  const elec = { scope: 2, category: 'Electricity', year: 2024, gwpBasis: 'AR5' };
  const year = { validFrom: '2024-01-01', validTo: '2024-12-31' };
  const share = (mwh: string, pct: number) => (Math.round(Number(mwh) * pct) / 100).toFixed(2);
  const eu = new Set(['DE', 'FR', 'NL', 'ES', 'IT', 'PL', 'SE', 'IE']);
  const drafts: unknown[] = [
    { key: 'market/octopus', name: `${GREEN_SUPPLIER} fuel mix`, unit: 'kWh', co2e: '0.0125', region: 'GB', kind: 'supplier_specific', supplier: GREEN_SUPPLIER, ...elec },
  ];
  consumption.rows.forEach(({ region, mwh }, i) => {
    const tracking = region === 'GB' ? 'REGO' : eu.has(region) ? 'GO' : region === 'US' || region === 'CA' ? 'REC' : 'I-REC';
    drafts.push({ key: `market/eac-${region}`, name: `${tracking}s ${region} 2024`, unit: 'kWh', co2e: '0', region, kind: 'contractual_instrument', instrument: { type: 'EAC', trackingSystem: tracking, volumeMWh: share(mwh, 20 + (i * 13) % 50), ...year }, ...elec });
    if (RESIDUAL_MIX[region]) drafts.push({ key: `market/residual-${region}`, name: `${region} residual mix 2024`, unit: 'kWh', co2e: RESIDUAL_MIX[region], region, kind: 'residual_mix', ...elec });
  });
  const de = consumption.rows.find((r) => r.region === 'DE');
  if (de) {
    const sites = Array.from({ length: 20 }, (_, k) => `LE-03-S${String(k).padStart(3, '0')}`);
    drafts.push({ key: 'market/ppa-de', name: 'Wind PPA, LE-03 sites', unit: 'kWh', co2e: '0', region: 'DE', kind: 'contractual_instrument', instrument: { type: 'PPA', volumeMWh: share(de.mwh, 5), entityCodes: sites, ...year }, ...elec });
  }
  drafts.push({ key: 'market/green-tariff', name: `${GREEN_SUPPLIER} green tariff`, unit: 'kWh', co2e: '0', region: 'GB', kind: 'contractual_instrument', supplier: GREEN_SUPPLIER, instrument: { type: 'green_tariff', volumeMWh: '100', ...year }, ...elec });
  const own = validateOrganisationFactors(drafts, { gwpSetIds: ['AR4', 'AR5', 'AR6'] });
  if (!own.ok) throw new Error(`bench: market factors rejected: ${JSON.stringify(own.errors)}`);
  const set = await storeOrganisationFactorSet(db.pg, { orgId: big.org_id, series: 'bench-market', factors: own.factors });
  await c.query(`update calculation_runs set factor_set_ids = array[factor_set_id, $2] where id = $1`, [big.run_id, set.id]);
}

/**
 * Copies the generated results to ClickHouse with the report dimensions exportRunToAnalytics
 * writes (the same entity paths, calculation method, data-quality rating and spend currency,
 * computed by the same classifyResult and spendCurrency), in one bulk INSERT ... SELECT through
 * ClickHouse's postgresql() table function. The few distinct (factor, region, year, match method)
 * combinations are classified here and joined in Postgres, so ClickHouse only receives rows.
 */
export async function copyBenchDataToClickHouse(db: Db, ch: ClickHouseClient, pgUrl: string, runIds: string[], log: (s: string) => void = () => undefined): Promise<void> {
  const t0 = performance.now();
  const c = await db.pg.connect();
  try {
    const facts = await c.query<{
      factor_id: string; region: string | null; year: number; match_method: string; kind: string | null; has_price_basis: boolean; unit: string; factor_region: string; factor_year: number;
    }>(
      `select distinct r.factor_id, upper(coalesce(a.attributes ->> 'location', e.country)) as region, extract(year from r.period_start)::int as year,
              coalesce(r.match ->> 'method', 'direct') as match_method, f.kind, f.price_basis is not null as has_price_basis, f.unit, f.region as factor_region, f.year as factor_year
       from calculation_results r join activities a on a.id = r.activity_id join entities e on e.id = r.entity_id join emission_factors f on f.id = r.factor_id
       where r.run_id = any($1) and r.status = 'calculated'`,
      [runIds],
    );
    await c.query(`create table bench_class (factor_id text, region text, year int, match_method text, calculation_method text, dq_t int, dq_g int, dq_tm int)`);
    const classes = facts.rows.map((f) => {
      const q = classifyResult({
        factorKind: f.kind, hasPriceBasis: f.has_price_basis, factorUnit: f.unit, factorRegion: f.factor_region, factorYear: f.factor_year,
        activityRegion: f.region, activityYear: f.year, matchMethod: f.match_method,
      });
      return [f.factor_id, f.region, f.year, f.match_method, q.calculationMethod, q.technological, q.geographical, q.temporal];
    });
    const col = (k: number) => classes.map((r) => r[k]);
    await c.query(
      `insert into bench_class select * from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[])`,
      [col(0), col(1), col(2), col(3), col(4), col(5), col(6), col(7)],
    );
    const units = await c.query<{ unit: string }>(`select distinct a.unit from activities a join calculation_results r on r.activity_id = a.id where r.run_id = any($1)`, [runIds]);
    const currencies = units.rows.flatMap((u) => {
      const cur = spendCurrency(u.unit);
      return cur ? [[u.unit, cur]] : [];
    });
    await c.query(`create table bench_currency as select * from unnest($1::text[], $2::text[]) as t(unit, currency)`, [currencies.map((x) => x[0]), currencies.map((x) => x[1])]);
    // The entity tree as exportRun writes it: codes root → entity, parent, nearest legal entity (itself included).
    await c.query(`create table bench_entity as
      with recursive up (id, anc, depth) as (select id, id, 0 from entities union all select up.id, e.parent_id, up.depth + 1 from up join entities e on e.id = up.anc where e.parent_id is not null)
      select up.id, string_agg(x.code, chr(31) order by up.depth desc) as path,
             (select code from entities p where p.id = (select parent_id from entities where id = up.id)) as parent_code,
             (array_agg(x.code order by up.depth) filter (where x.kind = 'legal_entity'))[1] as legal_entity_code
      from up join entities x on x.id = up.anc group by up.id`);
    await c.query(`create view bench_export as
      select r.run_id, r.org_id, r.activity_id, r.chunk_no, r.entity_id, e.ownership_pct::text as ownership_pct, r.period_start, r.status, r.scope::int as scope,
             coalesce(r.category, '') as category, coalesce(r.factor_id, '') as factor_id, coalesce(r.factor_set_id, '') as factor_set_id, r.gwp_set_id,
             coalesce(r.co2e_kg, 0)::text as co2e_kg, r.co2_kg::text as co2_kg, r.ch4_kg::text as ch4_kg, r.n2o_kg::text as n2o_kg, coalesce(r.reason, '') as reason,
             be.path as entity_path, coalesce(be.parent_code, '') as parent_code, coalesce(be.legal_entity_code, '') as legal_entity_code, e.country::text as country,
             coalesce(fs.source, '') as factor_source, coalesce(fs.edition, '') as factor_edition, coalesce(r.match ->> 'method', 'direct') as match_method,
             coalesce(cl.calculation_method, '') as calculation_method, coalesce(cl.dq_t, 0) as dq_t, coalesce(cl.dq_g, 0) as dq_g, coalesce(cl.dq_tm, 0) as dq_tm,
             coalesce(cu.currency, '') as spend_currency, case when cu.currency is null then '0' else a.quantity::text end as spend_amount,
             upper(coalesce(a.attributes ->> 'location', e.country)) as activity_region, coalesce(a.supplier, '') as supplier, a.quantity::text as quantity, a.unit as quantity_unit
      from calculation_results r join activities a on a.id = r.activity_id join entities e on e.id = r.entity_id join bench_entity be on be.id = r.entity_id
           left join factor_sets fs on fs.id = r.factor_set_id
           left join emission_factors f on f.id = r.factor_id
           left join bench_class cl on r.status = 'calculated' and cl.factor_id = r.factor_id and cl.region = upper(coalesce(a.attributes ->> 'location', e.country))
                                   and cl.year = extract(year from r.period_start)::int and cl.match_method = coalesce(r.match ->> 'method', 'direct')
           left join bench_currency cu on cu.unit = a.unit
      where r.run_id in (select run_id from bench_plan)`);
  } finally {
    c.release();
  }
  log(`  report dimensions classified in Postgres: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const u = new URL(pgUrl);
  const lit = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const source = `postgresql(${lit(`${u.hostname}:${u.port || '5432'}`)}, ${lit(u.pathname.slice(1))}, 'bench_export', ${lit(decodeURIComponent(u.username))}, ${lit(decodeURIComponent(u.password))})`;
  await ch.command({
    query: `INSERT INTO emission_results (run_id, org_id, activity_id, entity_id, ownership_pct, period_start, status, scope, category, factor_id, factor_set_id, gwp_set_id,
              co2e_kg, gas_kg, reason, export_version, entity_code, entity_path, parent_code, legal_entity_code, country, factor_source, factor_edition,
              calculation_method, match_method, dq_technological, dq_geographical, dq_temporal, spend_currency, spend_amount,
              activity_region, supplier, quantity, quantity_unit, chunk_no)
            SELECT run_id, org_id, activity_id, entity_id, toDecimal32(ownership_pct, 4), period_start, status, scope, category, factor_id, factor_set_id, gwp_set_id,
              toDecimal128(co2e_kg, 12),
              mapFromArrays(arrayFilter((g, v) -> isNotNull(v), ['CO2', 'CH4', 'N2O'], [co2_kg, ch4_kg, n2o_kg]),
                            arrayMap(v -> toDecimal128(assumeNotNull(v), 12), arrayFilter(v -> isNotNull(v), [co2_kg, ch4_kg, n2o_kg]))),
              reason, ${EXPORT_VERSION}, arrayElement(splitByChar('\\x1f', entity_path), -1), splitByChar('\\x1f', entity_path), parent_code, legal_entity_code, country,
              factor_source, factor_edition, calculation_method, match_method, dq_t, dq_g, dq_tm, spend_currency, toDecimal128(spend_amount, 12),
              activity_region, supplier, toDecimal128(quantity, 12), quantity_unit, chunk_no
            FROM ${source}`,
  });
  // Each run's copy is complete, as exportRunToAnalytics marks it (the generator wrote rows_total rows for each run).
  const runs = await db.pg.query<{ id: string; org_id: string; rows_total: number }>('select id, org_id, rows_total::int as rows_total from calculation_runs where id = any($1)', [runIds]);
  for (const r of runs.rows) await recordRunExport(ch, r.org_id, r.id, r.rows_total);
}
