import {
  allocateMarketBasedScope2, Big, calculationMethodOf, findUnit, marketFactorPerKWh, prepareFactor, rateDataQuality, weightedDataQuality, CALCULATION_METHODS,
  type DataQualityFacts, type MarketBasedScope2, type MarketFactor, type Scope2ConsumptionRow, type WeightedDataQuality,
} from '@tally/core';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { toCsv, type CsvValue } from '../csv.ts';
import { loadGwpSets, marketFactorsForRun } from './factors.ts';

/**
 * The inventory report of one run (GHG Protocol Corporate Standard, chapter 9): Scope 1, Scope 2
 * (location-based and market-based), Scope 3 by category, totals per gas, breakdowns and data quality. Both backends
 * (Postgres here, ClickHouse in @tally/analytics) produce the same ReportAggregates, and
 * assembleInventoryReport turns them into the report, so the two reports are identical.
 */

export const BREAKDOWNS = ['entity', 'country', 'month', 'category', 'factor_source', 'calculation_method', 'match_method'] as const;
export type BreakdownName = (typeof BREAKDOWNS)[number];

/** What each backend computes. Every CO2e figure is a sum of co2e_kg × weight, the weight in percent: the entity's ownership under equity share, 100 otherwise (so the sums stay exact; the report divides by 100). */
export interface ReportAggregates {
  /** Calculated rows by breakdown, key and scope (entity: rolled up to every ancestor of the row's entity). */
  breakdowns: { breakdown: BreakdownName; key: string; scope: number | null; co2eKgPct: string; activities: number }[];
  /** kg of each gas (mass), calculated rows inside the scopes. */
  gases: { gas: string; kgPct: string }[];
  /** Calculated rows inside the scopes, by their data-quality rating. */
  quality: { technological: number; geographical: number; temporal: number; co2eKgPct: string }[];
  /** Every row of the run by status and reason ('' when calculated). */
  statuses: { status: string; reason: string; activities: number }[];
  /** Rows whose unit is a currency: their quantity, by currency and whether they were calculated. */
  spend: { currency: string; calculated: boolean; amount: string }[];
  /** Calculated Scope 2 rows grouped for the market-based allocation (CO2e at 100%, weight apart). */
  scope2: Scope2ConsumptionRow[];
}

/** The run's market-based Scope 2 factors, ready for allocation (from Postgres for both backends). */
export interface MarketScope2Factors {
  factors: MarketFactor[];
  ignored: { factorId: string; reason: string }[];
}

export interface ReportLine {
  key: string;
  scope: number | null;
  co2eKg: string;
  activities: number;
}

export interface InventoryReport {
  runId: string;
  consolidation: { approach: string; basis: string };
  scope1: { co2eKg: string; activities: number };
  scope2: { locationBased: { co2eKg: string; activities: number }; marketBased: MarketBasedScope2; note: string };
  scope3: { co2eKg: string; activities: number; categories: { category: string; co2eKg: string; activities: number }[] };
  /** Calculated rows the source publishes outside the scopes (biogenic CO2): reported separately, not in the totals. */
  outsideOfScopes: { co2eKg: string; activities: number };
  /** co2eKg and gases take Scope 2 location-based (scope2Method); co2eKgMarketBased the same total with Scope 2 market-based. */
  totals: {
    co2eKg: string;
    scope2Method: 'location_based';
    co2eKgMarketBased: string;
    gases: { gas: string; kg: string }[];
    activities: { total: number; calculated: number; unmatched: number; failed: number };
  };
  breakdowns: Record<BreakdownName, ReportLine[]>;
  dataQuality: {
    byCalculationMethod: { method: string; co2eKg: string; activities: number; share: string | null }[];
    notCalculated: {
      activities: number;
      /** Of all the run's rows, by count. */
      share: string | null;
      byReason: { status: string; reason: string; activities: number }[];
      /** Rows measured in money: spend not calculated, of all spend in that currency. */
      spend: { currency: string; amount: string; total: string; share: string | null }[];
    };
    rating: WeightedDataQuality & { basis: string };
  };
}

export const CONSOLIDATION_BASIS: Record<string, string> = {
  operational_control: 'operational control: 100% of the emissions of every entity in the tree',
  financial_control: 'financial control: 100% of the emissions of every entity in the tree',
  equity_share: "equity share: each entity's emissions in proportion to the organisation's ownership of it (entities.ownership_pct)",
};

const SCOPE2_NOTE =
  'Dual reporting (GHG Protocol Scope 2 Guidance). location-based: grid-average factors of where the energy was used. market-based: the same consumption valued by the ' +
  "organisation's contractual instruments in the run's factor sets: a supplier-specific factor of the line's supplier; else certificates and contracts (EAC, PPA...) of the " +
  'same market region, valid for the whole month, up to their MWh, each MWh once; else the residual mix of the region (latest year not after the consumption); else the ' +
  'location-based figure, disclosed as fallbackToLocationKWh. Allocation at 100% per entity, then weighted like every figure. totals.co2eKg uses location-based Scope 2, totals.co2eKgMarketBased market-based.';
const RATING_BASIS =
  'CO2e-weighted mean of each row\'s technological, geographical and temporal representativeness, 1 (very good) to 5 (very poor); overall = mean of the three. See README "Reports".';

const pct = (s: string) => new Big(s).times('0.01');
const share = (part: InstanceType<typeof Big>, whole: InstanceType<typeof Big>) => (whole.gt(0) ? part.div(whole).round(6, Big.roundHalfEven).toFixed() : null);
const byKeyThenScope = (a: ReportLine, b: ReportLine) => (a.key < b.key ? -1 : a.key > b.key ? 1 : (a.scope ?? 99) - (b.scope ?? 99));

/** The report from a backend's aggregates. Pure: the same aggregates give the same report. */
export function assembleInventoryReport(runId: string, consolidationApproach: string, agg: ReportAggregates, market: MarketScope2Factors): InventoryReport {
  const lines = new Map<BreakdownName, Map<string, { key: string; scope: number | null; co2e: InstanceType<typeof Big>; activities: number }>>();
  for (const b of BREAKDOWNS) lines.set(b, new Map());
  for (const r of agg.breakdowns) {
    const m = lines.get(r.breakdown)!;
    const k = JSON.stringify([r.key, r.scope]);
    const cur = m.get(k);
    if (cur) {
      cur.co2e = cur.co2e.plus(pct(r.co2eKgPct));
      cur.activities += r.activities;
    } else m.set(k, { key: r.key, scope: r.scope, co2e: pct(r.co2eKgPct), activities: r.activities });
  }
  const breakdowns = Object.fromEntries(
    BREAKDOWNS.map((b) => [b, [...lines.get(b)!.values()].map((l) => ({ key: l.key, scope: l.scope, co2eKg: l.co2e.toFixed(), activities: l.activities })).sort(byKeyThenScope)]),
  ) as Record<BreakdownName, ReportLine[]>;

  const scopeTotal = (scope: number | null) => {
    let co2e = new Big(0);
    let activities = 0;
    for (const l of lines.get('category')!.values()) {
      if (l.scope !== scope) continue;
      co2e = co2e.plus(l.co2e);
      activities += l.activities;
    }
    return { co2e, activities };
  };
  const [s1, s2, s3, outside] = [scopeTotal(1), scopeTotal(2), scopeTotal(3), scopeTotal(null)];
  const inScopes = s1.co2e.plus(s2.co2e).plus(s3.co2e);

  const gases = new Map<string, InstanceType<typeof Big>>();
  for (const g of agg.gases) gases.set(g.gas, (gases.get(g.gas) ?? new Big(0)).plus(pct(g.kgPct)));

  const statuses = new Map<string, { status: string; reason: string; activities: number }>();
  for (const s of agg.statuses) {
    const k = `${s.status}\u0000${s.reason}`;
    const cur = statuses.get(k);
    if (cur) cur.activities += s.activities;
    else statuses.set(k, { ...s });
  }
  const count = (st: string) => [...statuses.values()].filter((s) => s.status === st).reduce((n, s) => n + s.activities, 0);
  const total = [...statuses.values()].reduce((n, s) => n + s.activities, 0);
  const calculated = count('calculated');

  const spend = new Map<string, { notCalculated: InstanceType<typeof Big>; total: InstanceType<typeof Big> }>();
  for (const s of agg.spend) {
    const cur = spend.get(s.currency) ?? { notCalculated: new Big(0), total: new Big(0) };
    cur.total = cur.total.plus(s.amount);
    if (!s.calculated) cur.notCalculated = cur.notCalculated.plus(s.amount);
    spend.set(s.currency, cur);
  }

  const methodLines = breakdowns.calculation_method.filter((l) => l.scope !== null);
  const byCalculationMethod = CALCULATION_METHODS.map((method) => {
    const ls = methodLines.filter((l) => l.key === method);
    const co2e = ls.reduce((s, l) => s.plus(l.co2eKg), new Big(0));
    return { method, co2eKg: co2e.toFixed(), activities: ls.reduce((n, l) => n + l.activities, 0), share: share(co2e, inScopes) };
  });

  const qualityRows = agg.quality.map((q) => ({ technological: q.technological, geographical: q.geographical, temporal: q.temporal, co2eKg: pct(q.co2eKgPct).toFixed() }));
  qualityRows.sort((a, b) => a.technological - b.technological || a.geographical - b.geographical || a.temporal - b.temporal || (a.co2eKg < b.co2eKg ? -1 : a.co2eKg > b.co2eKg ? 1 : 0));

  const allocated = allocateMarketBasedScope2(agg.scope2, market.factors);
  const marketBased = { ...allocated, ignoredFactors: [...market.ignored, ...allocated.ignoredFactors].sort((a, b) => (a.factorId < b.factorId ? -1 : a.factorId > b.factorId ? 1 : 0)) };
  const categories = breakdowns.category.filter((l) => l.scope === 3).map((l) => ({ category: l.key, co2eKg: l.co2eKg, activities: l.activities }));
  return {
    runId,
    consolidation: { approach: consolidationApproach, basis: CONSOLIDATION_BASIS[consolidationApproach] ?? consolidationApproach },
    scope1: { co2eKg: s1.co2e.toFixed(), activities: s1.activities },
    scope2: { locationBased: { co2eKg: s2.co2e.toFixed(), activities: s2.activities }, marketBased, note: SCOPE2_NOTE },
    scope3: { co2eKg: s3.co2e.toFixed(), activities: s3.activities, categories },
    outsideOfScopes: { co2eKg: outside.co2e.toFixed(), activities: outside.activities },
    totals: {
      co2eKg: inScopes.toFixed(),
      scope2Method: 'location_based',
      co2eKgMarketBased: s1.co2e.plus(marketBased.co2eKg).plus(s3.co2e).toFixed(),
      gases: [...gases.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([gas, kg]) => ({ gas, kg: kg.toFixed() })),
      activities: { total, calculated, unmatched: count('unmatched'), failed: count('failed') },
    },
    breakdowns,
    dataQuality: {
      byCalculationMethod,
      notCalculated: {
        activities: total - calculated,
        share: share(new Big(total - calculated), new Big(total)),
        byReason: [...statuses.values()].filter((s) => s.status !== 'calculated').sort((a, b) => (a.status + a.reason < b.status + b.reason ? -1 : 1)),
        spend: [...spend.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, s]) => ({ currency, amount: s.notCalculated.toFixed(), total: s.total.toFixed(), share: share(s.notCalculated, s.total) })),
      },
      rating: { ...weightedDataQuality(qualityRows), basis: RATING_BASIS },
    },
  };
}

/**
 * The CSV export of a report: one row per breakdown line, then Scope 2 both ways (location_based,
 * market_based), the market-based sources (supplier_specific, contractual_instrument, residual_mix,
 * location_fallback and unused_certificates, with their kWh) and the totals under each Scope 2 method.
 */
export function inventoryReportCsv(report: InventoryReport): string {
  const rows: CsvValue[][] = [];
  const row = (breakdown: string, key: string, scope: number | null, co2eKg: string, activities: number | null, kWh: string | null) => rows.push([breakdown, key, scope, co2eKg, activities, kWh]);
  for (const b of BREAKDOWNS) for (const l of report.breakdowns[b]) row(b, l.key, l.scope, l.co2eKg, l.activities, null);
  const { locationBased, marketBased } = report.scope2;
  row('scope2', 'location_based', 2, locationBased.co2eKg, locationBased.activities, null);
  row('scope2', 'market_based', 2, marketBased.co2eKg, marketBased.activities, marketBased.consumptionKWh);
  for (const l of marketBased.byInstrument) row('scope2_market_based', `${l.kind}:${l.factorId ?? (l.region || 'not_energy')}`, 2, l.co2eKg, null, l.kWh);
  for (const l of marketBased.byInstrument) if (l.unusedMWh !== undefined && new Big(l.unusedMWh).gt(0)) row('scope2_market_based', `unused_certificates:${l.factorId}`, 2, '0', null, new Big(l.unusedMWh).times(1000).toFixed());
  row('total', 'location_based', null, report.totals.co2eKg, report.totals.activities.calculated, null);
  row('total', 'market_based', null, report.totals.co2eKgMarketBased, report.totals.activities.calculated, null);
  return toCsv(['breakdown', 'key', 'scope', 'co2e_kg', 'activities', 'kwh'], rows);
}

/** What a result row's rating and calculation method are computed from (emission_factors, activity, entity). */
export interface ResultFacts {
  factorKind: string | null;
  hasPriceBasis: boolean;
  factorUnit: string;
  factorRegion: string;
  factorYear: number;
  activityRegion: string | null;
  activityYear: number;
  matchMethod: string;
}

/** A calculated row's calculation method and data-quality rating (the same function for both backends). */
export function classifyResult(f: ResultFacts): { calculationMethod: string; technological: number; geographical: number; temporal: number } {
  const facts: DataQualityFacts = {
    kind: f.factorKind,
    hasPriceBasis: f.hasPriceBasis,
    unit: f.factorUnit,
    matchMethod: f.matchMethod,
    factorRegion: f.factorRegion,
    activityRegion: f.activityRegion,
    factorYear: f.factorYear,
    activityYear: f.activityYear,
  };
  return { calculationMethod: calculationMethodOf(facts), ...rateDataQuality(facts) };
}

/** The currency of an activity unit, when it is one (spend lines). */
export function spendCurrency(unit: string): string | null {
  const u = findUnit(unit);
  return u?.dimension === 'currency' ? (u.currency ?? u.code) : null;
}

/**
 * The facts classifyResult reads, as columns of a query over calculation_results r, activities a,
 * entities e and emission_factors f: one spelling for the report and the results API.
 */
export const RESULT_FACTS_COLUMNS = sql.fragment`f.kind as "factorKind", f.price_basis is not null as "hasPriceBasis", f.unit as "factorUnit", f.region as "factorRegion", f.year as "factorYear",
  upper(coalesce(a.attributes ->> 'location', e.country)) as "activityRegion", extract(year from r.period_start)::int as "activityYear",
  coalesce(r.match ->> 'method', 'direct') as "matchMethod"`;

const Line = z.object({ key: z.string(), scope: z.number().nullable(), co2eKgPct: z.string(), activities: z.number() });
const Facts = z.object({
  scope: z.number().nullable(),
  factorKind: z.string().nullable(),
  hasPriceBasis: z.boolean(),
  factorUnit: z.string(),
  factorRegion: z.string(),
  factorYear: z.number(),
  activityRegion: z.string().nullable(),
  activityYear: z.number(),
  matchMethod: z.string(),
  co2eKgPct: z.string(),
  activities: z.number(),
});

/** The report aggregates of one run from Postgres. */
export async function runReportAggregates(db: CommonQueryMethods, runId: string, consolidationApproach: string): Promise<ReportAggregates> {
  const w = consolidationApproach === 'equity_share' ? sql.fragment`e.ownership_pct` : sql.fragment`100`;
  const grouped = async (breakdown: BreakdownName, key: ReturnType<typeof sql.fragment>) =>
    (
      await db.any(sql.type(Line)`
        select ${key} as key, r.scope, sum(r.co2e_kg * ${w})::text as "co2eKgPct", count(*)::int as activities
        from calculation_results r join entities e on e.id = r.entity_id left join factor_sets fs on fs.id = r.factor_set_id
        where r.run_id = ${runId} and r.status = 'calculated' group by 1, 2`)
    ).map((l) => ({ breakdown, ...l }));

  const breakdowns: ReportAggregates['breakdowns'] = [
    ...(await grouped('category', sql.fragment`coalesce(r.category, '')`)),
    ...(await grouped('country', sql.fragment`e.country::text`)),
    ...(await grouped('month', sql.fragment`to_char(r.period_start, 'YYYY-MM')`)),
    ...(await grouped('factor_source', sql.fragment`coalesce(fs.source || ' ' || fs.edition, r.factor_set_id, '')`)),
    ...(await grouped('match_method', sql.fragment`coalesce(r.match ->> 'method', 'direct')`)),
  ];
  // The entity tree: each row counts for its entity and every ancestor.
  const entities = await db.any(sql.type(Line)`
    with recursive anc (entity_id, ancestor_id) as (
      select id, id from entities where org_id = (select org_id from calculation_runs where id = ${runId})
      union all
      select anc.entity_id, p.parent_id from anc join entities p on p.id = anc.ancestor_id where p.parent_id is not null)
    select x.code as key, r.scope, sum(r.co2e_kg * ${w})::text as "co2eKgPct", count(*)::int as activities
    from calculation_results r join entities e on e.id = r.entity_id join anc on anc.entity_id = r.entity_id join entities x on x.id = anc.ancestor_id
    where r.run_id = ${runId} and r.status = 'calculated' group by 1, 2`);
  breakdowns.push(...entities.map((l) => ({ breakdown: 'entity' as const, ...l })));

  const facts = await db.any(sql.type(Facts)`
    select r.scope, ${RESULT_FACTS_COLUMNS}, sum(r.co2e_kg * ${w})::text as "co2eKgPct", count(*)::int as activities
    from calculation_results r join entities e on e.id = r.entity_id join activities a on a.id = r.activity_id join emission_factors f on f.id = r.factor_id
    where r.run_id = ${runId} and r.status = 'calculated' group by 1, 2, 3, 4, 5, 6, 7, 8, 9`);
  const quality: ReportAggregates['quality'] = [];
  for (const f of facts) {
    const c = classifyResult(f);
    breakdowns.push({ breakdown: 'calculation_method', key: c.calculationMethod, scope: f.scope, co2eKgPct: f.co2eKgPct, activities: f.activities });
    if (f.scope !== null) quality.push({ technological: c.technological, geographical: c.geographical, temporal: c.temporal, co2eKgPct: f.co2eKgPct });
  }
  // One line per rating, as ClickHouse groups them.
  const q = new Map<string, (typeof quality)[number]>();
  for (const r of quality) {
    const k = `${r.technological}${r.geographical}${r.temporal}`;
    const cur = q.get(k);
    q.set(k, cur ? { ...cur, co2eKgPct: new Big(cur.co2eKgPct).plus(r.co2eKgPct).toFixed() } : r);
  }

  const gases = await db.any(sql.type(z.object({ gas: z.string(), kgPct: z.string() }))`
    select g.key as gas, sum(g.value::numeric * ${w})::text as "kgPct"
    from calculation_results r join entities e on e.id = r.entity_id, jsonb_each_text(r.gas_kg) g
    where r.run_id = ${runId} and r.status = 'calculated' and r.scope is not null group by 1`);
  const statuses = await db.any(sql.type(z.object({ status: z.string(), reason: z.string(), activities: z.number() }))`
    select status, coalesce(reason, '') as reason, count(*)::int as activities from calculation_results where run_id = ${runId} group by 1, 2`);
  const units = await db.any(sql.type(z.object({ unit: z.string(), calculated: z.boolean(), amount: z.string() }))`
    select a.unit, r.status = 'calculated' as calculated, sum(a.quantity)::text as amount
    from calculation_results r join activities a on a.id = r.activity_id where r.run_id = ${runId} group by 1, 2`);
  const spend = units.flatMap((u) => {
    const currency = spendCurrency(u.unit);
    return currency ? [{ currency, calculated: u.calculated, amount: u.amount }] : [];
  });
  const scope2 = await db.any(sql.type(Scope2Row)`
    select e.code as "entityCode", (${w})::text as "weightPct", upper(coalesce(a.attributes ->> 'location', e.country)) as region, to_char(r.period_start, 'YYYY-MM') as month,
           coalesce(a.supplier, '') as supplier, coalesce(r.category, '') as category, a.unit, sum(a.quantity)::text as quantity, sum(r.co2e_kg)::text as "locationCo2eKg", count(*)::int as activities
    from calculation_results r join entities e on e.id = r.entity_id join activities a on a.id = r.activity_id
    where r.run_id = ${runId} and r.status = 'calculated' and r.scope = 2 group by 1, 2, 3, 4, 5, 6, 7`);
  return { breakdowns, gases: gases.map((g) => ({ ...g })), quality: [...q.values()], statuses: statuses.map((s) => ({ ...s })), spend, scope2: scope2.map((r) => ({ ...r })) };
}

const Scope2Row = z.object({
  entityCode: z.string(), weightPct: z.string(), region: z.string(), month: z.string(), supplier: z.string(), category: z.string(), unit: z.string(),
  quantity: z.string(), locationCo2eKg: z.string(), activities: z.number(),
});

/**
 * The market-based Scope 2 factors of a run: the Scope 2 supplier-specific, contractual-instrument
 * and residual-mix factors of its sets, each as kg CO2e per kWh under the run's GWP set (as the
 * calculation prepares factors). A factor not in an energy unit cannot value kWh and is listed as
 * ignored. Read from Postgres for either report backend, so both allocate the same instruments.
 */
export async function loadMarketScope2Factors(db: CommonQueryMethods, runId: string): Promise<MarketScope2Factors> {
  const run = await db.one(sql.type(z.object({ factorSetIds: z.array(z.string()), gwpSetId: z.string() }))`
    select coalesce(factor_set_ids, array[factor_set_id]) as "factorSetIds", gwp_set_id as "gwpSetId" from calculation_runs where id = ${runId}`);
  const raw = await marketFactorsForRun(db, run.factorSetIds);
  if (raw.length === 0) return { factors: [], ignored: [] };
  const gwpSets = new Map((await loadGwpSets(db)).map((g) => [g.id, g]));
  const gwp = gwpSets.get(run.gwpSetId);
  if (!gwp) throw new Error(`GWP set ${run.gwpSetId} of run ${runId} is not stored`);
  const out: MarketScope2Factors = { factors: [], ignored: [] };
  for (const f of raw) {
    const perKWh = marketFactorPerKWh(prepareFactor(f, gwp, gwpSets).co2ePerUnit, f.unit);
    if (perKWh === null) {
      out.ignored.push({ factorId: f.id, reason: `unit ${f.unit} is not energy` });
      continue;
    }
    out.factors.push({
      id: f.id, name: f.name, kind: f.kind as MarketFactor['kind'], category: f.category, region: f.region, year: f.year, co2ePerKWh: perKWh,
      ...(f.supplier ? { supplier: f.supplier } : {}), ...(f.instrument ? { instrument: f.instrument } : {}),
    });
  }
  return out;
}

/** The inventory report of one run, from Postgres (the system of record). */
export async function runInventoryReport(db: CommonQueryMethods, runId: string, consolidationApproach: string, market?: MarketScope2Factors): Promise<InventoryReport> {
  return assembleInventoryReport(runId, consolidationApproach, await runReportAggregates(db, runId, consolidationApproach), market ?? (await loadMarketScope2Factors(db, runId)));
}
