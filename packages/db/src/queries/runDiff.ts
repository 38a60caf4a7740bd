import { Big, attributeRunDiff, type DiffActivity, type DiffActivityRecord, type DiffResultLine, type RunDiff, type RunDiffLine } from '@tally/core';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { toCsv } from '../csv.ts';
import { factorsByIds, loadGwpSets } from './factors.ts';
import type { RunRow } from './runs.ts';

/**
 * "Why did it change" (README "Reports"): two runs of one organisation and period, joined per
 * activity, the difference attributed by packages/core attributeRunDiff. Each store gives the
 * lines of a run (diffLinesFromPostgres here, diffLinesFromAnalytics in @tally/analytics); the
 * factors and GWP sets to reprice with are reference data, read from Postgres for both, so both
 * stores give the same diff.
 */

export interface DiffLabel {
  entityCode: string;
  activityType: string;
  lineNo: number | null;
}

/** One run's row for one activity, as either store gives it. */
export interface RunDiffSideLine {
  activityId: string;
  /** Consolidation weight in percent (ownership under equity share, else 100). */
  weightPct: string;
  /** The activity as it stands (Postgres) or as exported (ClickHouse); null when the row is gone. */
  record: DiffActivityRecord | null;
  line: DiffResultLine;
  label: DiffLabel;
}

/** Decimal strings in one canonical form, whatever scale the store keeps them in. */
export const canonicalDecimal = (s: string | null): string | null => (s === null || s === '' ? null : new Big(s).toFixed());

const SideRow = z.object({
  activityId: z.string(),
  weightPct: z.string(),
  quantity: z.string().nullable(),
  unit: z.string().nullable(),
  amount: z.string().nullable(),
  currency: z.string().nullable(),
  status: z.string(),
  co2eKg: z.string().nullable(),
  scope: z.number().nullable(),
  category: z.string().nullable(),
  factorId: z.string().nullable(),
  factorKey: z.string().nullable(),
  factorSetId: z.string().nullable(),
  factorSource: z.string().nullable(),
  unitFrom: z.string().nullable(),
  unitTo: z.string().nullable(),
  unitMultiplier: z.string().nullable(),
  matchMethod: z.string(),
  matchRuleId: z.string().nullable(),
  method: z.string().nullable(),
  gwpSetId: z.string(),
  co2eMethod: z.string().nullable(),
  co2eVariants: z.record(z.string(), z.string()).nullable(),
  reason: z.string().nullable(),
  entityCode: z.string(),
  activityType: z.string().nullable(),
  lineNo: z.number().nullable(),
});

/** Builds a side line from a store's row (both stores map through here). */
export function sideLine(r: z.infer<typeof SideRow>): RunDiffSideLine {
  const variants = r.co2eVariants && Object.keys(r.co2eVariants).length > 0 ? Object.fromEntries(Object.entries(r.co2eVariants).map(([k, v]) => [k, new Big(v).toFixed()])) : null;
  return {
    activityId: r.activityId,
    weightPct: r.weightPct,
    record: r.quantity === null || r.unit === null ? null : { quantity: canonicalDecimal(r.quantity)!, unit: r.unit, amount: canonicalDecimal(r.amount), currency: r.currency || null },
    line: {
      status: r.status,
      co2eKg: r.status === 'calculated' ? canonicalDecimal(r.co2eKg) : null,
      scope: r.scope,
      category: r.category || null,
      factorId: r.factorId || null,
      factorKey: r.factorKey || null,
      factorSetId: r.factorSetId || null,
      factorSource: r.factorSource || null,
      unitFrom: r.unitFrom || null,
      unitTo: r.unitTo || null,
      unitMultiplier: canonicalDecimal(r.unitMultiplier),
      matchMethod: r.matchMethod,
      matchRuleId: r.matchRuleId || null,
      method: r.method || null,
      gwpSetId: r.gwpSetId,
      co2eMethod: r.co2eMethod || null,
      co2eVariants: variants,
      reason: r.reason || null,
    },
    label: { entityCode: r.entityCode, activityType: r.activityType ?? '', lineNo: r.lineNo },
  };
}
export { SideRow as RunDiffSideRow };

/** Every result row of a run with its lineage, from Postgres. */
export async function diffLinesFromPostgres(db: CommonQueryMethods, runId: string, consolidationApproach: string): Promise<RunDiffSideLine[]> {
  const w = consolidationApproach === 'equity_share' ? sql.fragment`e.ownership_pct` : sql.fragment`100`;
  const rows = await db.any(sql.type(SideRow)`
    select r.activity_id::text as "activityId", (${w})::text as "weightPct",
           a.quantity::text as quantity, a.unit, a.amount::text as amount, a.currency::text as currency,
           r.status, r.co2e_kg::text as "co2eKg", r.scope, r.category, r.factor_id as "factorId", f.activity_key as "factorKey", r.factor_set_id as "factorSetId",
           fs.source || ' ' || fs.edition as "factorSource", r.unit_from as "unitFrom", r.unit_to as "unitTo", r.unit_multiplier::text as "unitMultiplier",
           coalesce(r.match ->> 'method', 'direct') as "matchMethod", r.match -> 'evidence' ->> 'ruleId' as "matchRuleId", r.method, r.gwp_set_id as "gwpSetId",
           r.co2e_method as "co2eMethod", r.co2e_variants as "co2eVariants", r.reason, e.code as "entityCode", a.activity_type as "activityType", a.line_no as "lineNo"
    from calculation_results r join entities e on e.id = r.entity_id left join activities a on a.id = r.activity_id
         left join emission_factors f on f.id = r.factor_id left join factor_sets fs on fs.id = r.factor_set_id
    where r.run_id = ${runId}`);
  return rows.map((r) => sideLine({ ...r }));
}

export interface RunDiffReport extends Omit<RunDiff<DiffLabel>, 'lines'> {
  from: { runId: string; gwpSetId: string; factorSetIds: string[]; options: RunRow['options']; completedAt: string | null };
  to: RunDiffReport['from'];
  period: { start: string; end: string };
  consolidationApproach: string;
  unit: 'kg';
  /** How many activity lines moved, and how many are listed (the top N by |change|). */
  linesTotal: number;
  lines: RunDiffLine<DiffLabel>[];
}

/** The diff of two runs from their lines (either store) and the reference data in Postgres. */
export async function assembleRunDiff(
  db: CommonQueryMethods,
  from: RunRow,
  to: RunRow,
  consolidationApproach: string,
  fromLines: readonly RunDiffSideLine[],
  toLines: readonly RunDiffSideLine[],
  top?: number,
): Promise<RunDiffReport> {
  const byId = new Map<string, { a?: RunDiffSideLine; b?: RunDiffSideLine }>();
  for (const l of fromLines) byId.set(l.activityId, { a: l });
  for (const l of toLines) {
    const cur = byId.get(l.activityId);
    if (cur) cur.b = l;
    else byId.set(l.activityId, { b: l });
  }
  const factorIds = new Set<string>();
  for (const l of [...fromLines, ...toLines]) if (l.line.factorId) factorIds.add(l.line.factorId);
  // Every GWP set (a handful): a factor published under another basis is restated through it.
  const [factors, gwpSets] = await Promise.all([factorsByIds(db, [...factorIds]), loadGwpSets(db)]);
  const activities: DiffActivity<DiffLabel>[] = [];
  for (const [activityId, { a, b }] of byId) {
    const side = (b ?? a)!;
    activities.push({ activityId, weight: new Big(side.weightPct).div(100).toFixed(), record: side.record, from: a?.line ?? null, to: b?.line ?? null, label: side.label });
  }
  const diff = attributeRunDiff({
    from: { runId: from.id, gwpSetId: from.gwpSetId, radiativeForcing: from.options.radiativeForcing ?? 'with' },
    to: { runId: to.id, gwpSetId: to.gwpSetId, radiativeForcing: to.options.radiativeForcing ?? 'with' },
    activities,
    factors: new Map(factors.map((f) => [f.id, f])),
    gwpSets,
  });
  const side = (r: RunRow) => ({ runId: r.id, gwpSetId: r.gwpSetId, factorSetIds: r.factorSetIds, options: r.options, completedAt: r.completedAt });
  return {
    ...diff,
    from: side(from),
    to: side(to),
    period: { start: from.periodStart, end: from.periodEnd },
    consolidationApproach,
    unit: 'kg',
    linesTotal: diff.lines.length,
    lines: top === undefined ? diff.lines : diff.lines.slice(0, top),
  };
}

/** The diff of two runs read from Postgres. */
export async function runDiffFromPostgres(db: CommonQueryMethods, from: RunRow, to: RunRow, consolidationApproach: string, top?: number): Promise<RunDiffReport> {
  const [a, b] = await Promise.all([diffLinesFromPostgres(db, from.id, consolidationApproach), diffLinesFromPostgres(db, to.id, consolidationApproach)]);
  return assembleRunDiff(db, from, to, consolidationApproach, a, b, top);
}

const CSV_HEADER = [
  'activity_id', 'entity', 'activity_type', 'line_no', 'from_scope', 'to_scope', 'from_co2e_kg', 'to_co2e_kg', 'change_co2e_kg',
  'activity_effect', 'mapping_effect', 'factor_effect', 'method_effect', 'drivers',
  'from_factor_id', 'from_factor_key', 'from_factor_source', 'from_match_method', 'from_gwp_set',
  'to_factor_id', 'to_factor_key', 'to_factor_source', 'to_match_method', 'to_gwp_set',
];

/** The CSV export of a diff: one row per activity line that moved, with both runs' lineage. */
export function runDiffCsv(diff: RunDiffReport): string {
  const lin = (x: DiffResultLine | null) => [x?.factorId, x?.factorKey, x?.factorSource, x?.matchMethod, x?.gwpSetId];
  return toCsv(
    CSV_HEADER,
    diff.lines.map((l) => {
      const d = l.drivers;
      const drivers = [d.activity, ...d.mapping, d.factor ? 'factor' : null, ...d.method].filter(Boolean).join(';');
      return [l.activityId, l.label?.entityCode, l.label?.activityType, l.label?.lineNo, l.scope.from, l.scope.to, l.co2eKg.from, l.co2eKg.to, l.co2eKg.change,
        l.effects.activity, l.effects.mapping, l.effects.factor, l.effects.method, drivers, ...lin(l.from), ...lin(l.to)];
    }),
  );
}
