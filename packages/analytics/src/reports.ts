import type { ClickHouseClient } from '@clickhouse/client';
import { assembleInventoryReport, type BreakdownName, type InventoryReport, type MarketScope2Factors, type ReportAggregates } from '@tally/db';
import { EXPORT_VERSION } from './exportRun.ts';
import { reportAggregatesFromLines } from './reportLines.ts';

async function rows<T>(ch: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const rs = await ch.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}

/** The run is not in the analytics store, or was copied before the report columns existed: export it again (or read Postgres). */
export class AnalyticsCopyOutdated extends Error {
  constructor(runId: string, detail: string) {
    super(`the analytics copy of run ${runId} ${detail}`);
    this.name = 'AnalyticsCopyOutdated';
  }
}

/**
 * The report aggregates of one run from ClickHouse: the same figures as runReportAggregates in
 * @tally/db. Each CO2e sum is of co2e_kg × weight in percent (ownership under equity share, else
 * 100): Decimal128 sums, exact.
 */
export async function runReportAggregatesFromAnalytics(ch: ClickHouseClient, orgId: string, runId: string, consolidationApproach: string): Promise<ReportAggregates> {
  // The rollup when it holds exactly the run's rows (one small read); else check the copy and scan it.
  const rolled = await reportAggregatesFromLines(ch, orgId, runId, consolidationApproach);
  if (rolled) return rolled;
  const p = { org: orgId, run: runId };
  const base = `FROM emission_results FINAL WHERE org_id = {org:UUID} AND run_id = {run:UUID}`;
  const [state] = await rows<{ n: string; old: string }>(ch, `SELECT count() AS n, countIf(export_version < ${EXPORT_VERSION}) AS old ${base}`, p);
  if (!state || state.n === '0') throw new AnalyticsCopyOutdated(runId, 'does not exist');
  if (state.old !== '0') throw new AnalyticsCopyOutdated(runId, `was made before the report columns (export version ${EXPORT_VERSION})`);
  const w = consolidationApproach === 'equity_share' ? 'ownership_pct' : '100';
  const calculated = `${base} AND status = 'calculated'`;
  const line = (key: string, arrayJoin = '') =>
    `SELECT ${key} AS key, scope, toString(sum(co2e_kg * ${w})) AS co2eKgPct, count() AS activities FROM emission_results FINAL ${arrayJoin}
     WHERE org_id = {org:UUID} AND run_id = {run:UUID} AND status = 'calculated' GROUP BY key, scope`;
  const keys: [BreakdownName, string, string?][] = [
    ['category', 'category'],
    ['country', 'country'],
    ['month', `formatDateTime(month, '%Y-%m')`],
    ['factor_source', `if(factor_source = '', factor_set_id, concat(factor_source, ' ', factor_edition))`],
    ['match_method', 'match_method'],
    ['calculation_method', 'calculation_method'],
    ['entity', 'entity_node', 'ARRAY JOIN entity_path AS entity_node'],
  ];
  const lines = await Promise.all(
    keys.map(async ([breakdown, key, arrayJoin]) =>
      (await rows<{ key: string; scope: number | null; co2eKgPct: string; activities: string }>(ch, line(key, arrayJoin), p)).map((l) => ({
        breakdown, key: l.key, scope: l.scope, co2eKgPct: l.co2eKgPct, activities: Number(l.activities),
      })),
    ),
  );
  const [quality, gases, statuses, spend, scope2] = await Promise.all([
    rows<{ technological: number; geographical: number; temporal: number; co2eKgPct: string }>(
      ch,
      `SELECT dq_technological AS technological, dq_geographical AS geographical, dq_temporal AS temporal, toString(sum(co2e_kg * ${w})) AS co2eKgPct
       ${calculated} AND scope IS NOT NULL GROUP BY technological, geographical, temporal`,
      p,
    ),
    rows<{ gas: string; kgPct: string }>(
      ch,
      `SELECT gas, toString(sum(kg * ${w})) AS kgPct FROM emission_results FINAL ARRAY JOIN mapKeys(gas_kg) AS gas, mapValues(gas_kg) AS kg
       WHERE org_id = {org:UUID} AND run_id = {run:UUID} AND status = 'calculated' AND scope IS NOT NULL GROUP BY gas`,
      p,
    ),
    rows<{ status: string; reason: string; activities: string }>(ch, `SELECT status, reason, count() AS activities ${base} GROUP BY status, reason`, p),
    rows<{ currency: string; calculated: number; amount: string }>(
      ch,
      `SELECT spend_currency AS currency, status = 'calculated' AS calculated, toString(sum(spend_amount)) AS amount ${base} AND spend_currency != '' GROUP BY currency, calculated`,
      p,
    ),
    rows<{ entityCode: string; weightPct: string; region: string; ym: string; supplier: string; category: string; unit: string; quantity: string; locationCo2eKg: string; activities: string }>(
      ch,
      `SELECT entity_code AS entityCode, toString(${w}) AS weightPct, activity_region AS region, formatDateTime(month, '%Y-%m') AS ym, supplier, category,
              quantity_unit AS unit, toString(sum(quantity)) AS quantity, toString(sum(co2e_kg)) AS locationCo2eKg, count() AS activities
       ${calculated} AND scope = 2 GROUP BY entityCode, weightPct, region, ym, supplier, category, unit`,
      p,
    ),
  ]);
  return {
    breakdowns: lines.flat(),
    gases,
    quality: quality.map((q) => ({ technological: Number(q.technological), geographical: Number(q.geographical), temporal: Number(q.temporal), co2eKgPct: q.co2eKgPct })),
    statuses: statuses.map((s) => ({ status: s.status, reason: s.reason, activities: Number(s.activities) })),
    spend: spend.map((s) => ({ currency: s.currency, calculated: Boolean(Number(s.calculated)), amount: s.amount })),
    scope2: scope2.map(({ ym, ...r }) => ({ ...r, month: ym, activities: Number(r.activities) })),
  };
}

/**
 * The inventory report of one run from ClickHouse: identical to runInventoryReport from Postgres.
 * market: the run's market-based Scope 2 factors (loadMarketScope2Factors, from Postgres, the
 * system of record for factors), so both backends allocate the same instruments.
 */
export async function runInventoryReportFromAnalytics(ch: ClickHouseClient, orgId: string, runId: string, consolidationApproach: string, market: MarketScope2Factors): Promise<InventoryReport> {
  return assembleInventoryReport(runId, consolidationApproach, await runReportAggregatesFromAnalytics(ch, orgId, runId, consolidationApproach), market);
}
