import { Big, buildTrend, type ScopeFigures, type Trend } from '@tally/core';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { findOrganisation } from './organisations.ts';

export type { ScopeFigures } from '@tally/core';

/**
 * Base year and trend (README "Reports"). A year is reported by the latest complete run whose
 * period is the twelve months starting in it (a calendar year, or a fiscal year named by the year
 * it starts in). The base-year figure of record is kept in base_year_records; the trend compares
 * the base year's latest run with it. Per-run totals come from either store (the caller passes
 * them in), so the trend is the same from Postgres and ClickHouse.
 */

export const YearRun = z.object({
  year: z.number(),
  id: z.string(),
  periodStart: z.string(),
  periodEnd: z.string(),
  gwpSetId: z.string(),
  factorSetIds: z.array(z.string()),
  completedAt: z.string().nullable(),
});
export type YearRun = z.infer<typeof YearRun>;

/** The latest complete full-year run of each year from `fromYear` on (one per year). */
export async function latestRunPerYear(db: CommonQueryMethods, orgId: string, fromYear: number, toYear?: number): Promise<readonly YearRun[]> {
  return db.any(sql.type(YearRun)`
    select distinct on (extract(year from period_start)) extract(year from period_start)::int as year, id, period_start as "periodStart", period_end as "periodEnd",
           gwp_set_id as "gwpSetId", coalesce(factor_set_ids, array[factor_set_id]) as "factorSetIds", completed_at as "completedAt"
    from calculation_runs
    where org_id = ${orgId} and status = 'complete' and period_end = (period_start + interval '1 year' - interval '1 day')::date
      and extract(year from period_start) >= ${fromYear} and extract(year from period_start) <= ${toYear ?? 9999}
    order by extract(year from period_start), completed_at desc, id`);
}

const ScopeLine = z.object({ scope: z.number(), co2eKgPct: z.string() });

/** Sums of co2e x weight in percent by scope -> the figures (kg). Shared by both stores. */
export function scopeFiguresFromPct(lines: readonly { scope: number; co2eKgPct: string }[]): ScopeFigures {
  const by = new Map<number, InstanceType<typeof Big>>();
  for (const l of lines) by.set(l.scope, (by.get(l.scope) ?? new Big(0)).plus(new Big(l.co2eKgPct).times('0.01')));
  const s = (n: number) => by.get(n) ?? new Big(0);
  return { scope1: s(1).toFixed(), scope2LocationBased: s(2).toFixed(), scope3: s(3).toFixed(), co2eKg: s(1).plus(s(2)).plus(s(3)).toFixed() };
}

/** A run's Scope 1, 2 (location-based), 3 and total from Postgres, under the consolidation approach (equity share weighs by ownership). */
export async function runScopeFigures(db: CommonQueryMethods, runId: string, consolidationApproach: string): Promise<ScopeFigures> {
  const w = consolidationApproach === 'equity_share' ? sql.fragment`e.ownership_pct` : sql.fragment`100`;
  const lines = await db.any(sql.type(ScopeLine)`
    select r.scope, sum(r.co2e_kg * ${w})::text as "co2eKgPct"
    from calculation_results r join entities e on e.id = r.entity_id
    where r.run_id = ${runId} and r.status = 'calculated' and r.scope is not null group by r.scope`);
  return scopeFiguresFromPct(lines);
}

export const BaseYearRecord = z.object({
  id: z.string(),
  baseYear: z.number(),
  runId: z.string(),
  consolidationApproach: z.string(),
  scope1: z.string(),
  scope2LocationBased: z.string(),
  scope3: z.string(),
  co2eKg: z.string(),
  reason: z.enum(['base_year_set', 'first_reported', 'restatement_accepted']),
  recordedBy: z.string(),
  note: z.string().nullable(),
  recordedAt: z.string(),
  supersededAt: z.string().nullable(),
});
export type BaseYearRecord = z.infer<typeof BaseYearRecord>;

const recordColumns = sql.fragment`id, base_year as "baseYear", run_id as "runId", consolidation_approach as "consolidationApproach",
  scope1_co2e_kg::text as scope1, scope2_location_co2e_kg::text as "scope2LocationBased", scope3_co2e_kg::text as scope3, co2e_kg::text as "co2eKg",
  reason, recorded_by as "recordedBy", note, recorded_at as "recordedAt", superseded_at as "supersededAt"`;

export async function currentBaseYearRecord(db: CommonQueryMethods, orgId: string): Promise<BaseYearRecord | null> {
  return db.maybeOne(sql.type(BaseYearRecord)`select ${recordColumns} from base_year_records where org_id = ${orgId} and superseded_at is null`);
}

/** Every figure of record, newest first. */
export async function baseYearHistory(db: CommonQueryMethods, orgId: string): Promise<readonly BaseYearRecord[]> {
  return db.any(sql.type(BaseYearRecord)`select ${recordColumns} from base_year_records where org_id = ${orgId} order by recorded_at desc, id`);
}

/** Ends the current figure of record (the base year was changed or cleared). */
export async function supersedeBaseYearRecord(db: CommonQueryMethods, orgId: string): Promise<void> {
  await db.query(sql.unsafe`update base_year_records set superseded_at = clock_timestamp() where org_id = ${orgId} and superseded_at is null`);
}

export class NoBaseYear extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'NoBaseYear';
  }
}

/**
 * Records the base year's latest complete run, its totals computed from Postgres (the system of
 * record), as the figure of record; the previous one is kept, superseded. The organisation row is
 * locked so two concurrent recordings cannot both become current.
 */
export async function recordBaseYear(
  pool: DatabasePool,
  orgId: string,
  input: { reason: BaseYearRecord['reason']; by: string; note?: string | null },
): Promise<BaseYearRecord> {
  return pool.transaction(async (tx) => {
    const org = await tx.maybeOne(sql.type(z.object({ baseYear: z.number().nullable(), approach: z.string() }))`
      select base_year as "baseYear", consolidation_approach as approach from organisations where id = ${orgId} for update`);
    if (!org) throw new NoBaseYear('organisation not found');
    if (org.baseYear === null) throw new NoBaseYear('the organisation has no base year: set baseYear with PATCH /v1/organisations/{id}');
    const [run] = await latestRunPerYear(tx, orgId, org.baseYear, org.baseYear);
    if (!run) throw new NoBaseYear(`no complete full-year calculation run for the base year ${org.baseYear}`);
    const f = await runScopeFigures(tx, run.id, org.approach);
    await supersedeBaseYearRecord(tx, orgId);
    return tx.one(sql.type(BaseYearRecord)`
      insert into base_year_records (org_id, base_year, run_id, consolidation_approach, scope1_co2e_kg, scope2_location_co2e_kg, scope3_co2e_kg, co2e_kg, reason, recorded_by, note)
      values (${orgId}, ${org.baseYear}, ${run.id}, ${org.approach}, ${f.scope1}, ${f.scope2LocationBased}, ${f.scope3}, ${f.co2eKg}, ${input.reason}, ${input.by}, ${input.note ?? null})
      returning ${recordColumns}`);
  });
}

/**
 * The figure of record when the base year is first reported: recorded the first time a trend is
 * asked for once the base year has a complete run (or when the base year is set, if it has one).
 * A record of another base year (left by a change of base year) is superseded.
 */
export async function ensureBaseYearRecord(pool: DatabasePool, orgId: string, by: string): Promise<BaseYearRecord | null> {
  const org = await findOrganisation(pool, orgId);
  if (!org || org.baseYear === null) return null;
  const current = await currentBaseYearRecord(pool, orgId);
  if (current && current.baseYear === org.baseYear) return current;
  const [run] = await latestRunPerYear(pool, orgId, org.baseYear, org.baseYear);
  if (!run) {
    if (current) await supersedeBaseYearRecord(pool, orgId);
    return null;
  }
  return recordBaseYear(pool, orgId, { reason: 'first_reported', by });
}

export type TrendRun = Omit<YearRun, 'year'>;
type RecordedFigure = Omit<BaseYearRecord, 'scope1' | 'scope2LocationBased' | 'scope3' | 'co2eKg' | 'id'>;

export interface OrganisationTrend extends Trend<TrendRun, RecordedFigure, { runId: string; completedAt: string | null }> {
  consolidationApproach: string;
}

/**
 * The trend of an organisation from its base year to its latest reported year, with each year's
 * totals from `figuresOf` (Postgres or ClickHouse), and the restatement check against the figure
 * of record.
 */
export async function organisationTrend(
  db: CommonQueryMethods,
  orgId: string,
  figuresOf: (runId: string, consolidationApproach: string) => Promise<ScopeFigures>,
): Promise<OrganisationTrend | null> {
  const org = await findOrganisation(db, orgId);
  if (!org || org.baseYear === null) return null;
  const runs = await latestRunPerYear(db, orgId, org.baseYear);
  const lastYear = Math.max(org.baseYear, ...runs.map((r) => r.year));
  const byYear = new Map(runs.map((r) => [r.year, r]));
  const years = [];
  for (let y = org.baseYear; y <= lastYear; y++) {
    const r = byYear.get(y);
    if (!r) {
      years.push({ year: y, run: null, figures: null });
      continue;
    }
    const { year: _y, ...run } = r;
    years.push({ year: y, run, figures: await figuresOf(r.id, org.consolidationApproach) });
  }
  const rec = await currentBaseYearRecord(db, orgId);
  const recorded = rec && rec.baseYear === org.baseYear ? (({ id: _id, ...r }) => r)(rec) : null;
  const base = years[0]!;
  const current = base.run && base.figures ? { runId: base.run.id, completedAt: base.run.completedAt, ...base.figures } : null;
  return { consolidationApproach: org.consolidationApproach, ...buildTrend({ baseYear: org.baseYear, years, recorded, current, threshold: org.restatementThreshold }) };
}
