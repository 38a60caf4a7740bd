import type { ClickHouseClient } from '@clickhouse/client';
import { assembleRunDiff, sideLine, type CommonQueryMethods, type RunDiffReport, type RunDiffSideLine, type RunRow } from '@tally/db';
import { EXPORT_VERSION } from './exportRun.ts';
import { AnalyticsCopyOutdated } from './reports.ts';

interface ChRow {
  activityId: string;
  weightPct: string;
  quantity: string;
  unit: string;
  amount: string;
  currency: string;
  status: string;
  co2eKg: string;
  scope: number | null;
  category: string;
  factorId: string;
  factorKey: string;
  factorSetId: string;
  factorSource: string;
  unitFrom: string;
  unitTo: string;
  unitMultiplier: string;
  matchMethod: string;
  matchRuleId: string;
  method: string;
  gwpSetId: string;
  co2eMethod: string;
  co2eVariants: Record<string, string>;
  reason: string;
  entityCode: string;
  activityType: string;
  lineNo: number;
}

/**
 * Every result row of a run with its diff lineage, from the ClickHouse copy (the activity as it was
 * exported with the run). Refuses a copy made before the diff columns (export version 3).
 */
export async function diffLinesFromAnalytics(ch: ClickHouseClient, orgId: string, runId: string, consolidationApproach: string): Promise<RunDiffSideLine[]> {
  const p = { org: orgId, run: runId };
  const st = await ch.query({
    query: `SELECT count() AS n, countIf(export_version < ${EXPORT_VERSION}) AS old FROM emission_results FINAL WHERE org_id = {org:UUID} AND run_id = {run:UUID}`,
    query_params: p,
    format: 'JSONEachRow',
  });
  const [state] = await st.json<{ n: string; old: string }>();
  if (!state || state.n === '0') throw new AnalyticsCopyOutdated(runId, 'does not exist');
  if (state.old !== '0') throw new AnalyticsCopyOutdated(runId, `was made before the run diff columns (export version ${EXPORT_VERSION})`);
  const w = consolidationApproach === 'equity_share' ? 'toString(ownership_pct)' : `'100'`;
  const rs = await ch.query({
    query: `SELECT toString(activity_id) AS activityId, ${w} AS weightPct, activity_quantity AS quantity, activity_unit AS unit, activity_amount AS amount,
                   activity_currency AS currency, status, toString(co2e_kg) AS co2eKg, scope, category, factor_id AS factorId, factor_key AS factorKey,
                   factor_set_id AS factorSetId, if(factor_source = '', '', concat(factor_source, ' ', factor_edition)) AS factorSource, unit_from AS unitFrom,
                   unit_to AS unitTo, unit_multiplier AS unitMultiplier, match_method AS matchMethod, match_rule_id AS matchRuleId, calc_method AS method,
                   gwp_set_id AS gwpSetId, co2e_method AS co2eMethod, mapApply((k, v) -> (k, toString(v)), co2e_variants) AS co2eVariants, reason,
                   entity_code AS entityCode, activity_type AS activityType, line_no AS lineNo
            FROM emission_results FINAL WHERE org_id = {org:UUID} AND run_id = {run:UUID}`,
    query_params: p,
    format: 'JSONEachRow',
  });
  const rows = await rs.json<ChRow>();
  return rows.map((r) =>
    sideLine({
      ...r,
      weightPct: r.weightPct,
      quantity: r.quantity === '' ? null : r.quantity,
      unit: r.quantity === '' ? null : r.unit,
      amount: r.amount === '' ? null : r.amount,
      currency: r.currency === '' ? null : r.currency,
      co2eKg: r.status === 'calculated' ? r.co2eKg : null,
      scope: r.scope === null ? null : Number(r.scope),
      co2eVariants: Object.keys(r.co2eVariants).length > 0 ? r.co2eVariants : null,
      lineNo: Number(r.lineNo),
    }),
  );
}

/** The diff of two runs read from ClickHouse (factors and GWP sets from Postgres): the same as runDiffFromPostgres. */
export async function runDiffFromAnalytics(ch: ClickHouseClient, db: CommonQueryMethods, orgId: string, from: RunRow, to: RunRow, consolidationApproach: string, top?: number): Promise<RunDiffReport> {
  const [a, b] = await Promise.all([diffLinesFromAnalytics(ch, orgId, from.id, consolidationApproach), diffLinesFromAnalytics(ch, orgId, to.id, consolidationApproach)]);
  return assembleRunDiff(db, from, to, consolidationApproach, a, b, top);
}
