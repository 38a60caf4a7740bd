import type { ClickHouseClient } from '@clickhouse/client';
import type { BreakdownName, ReportAggregates } from '@tally/db';
import { EXPORT_VERSION } from './exportRun.ts';
import { tsvRows } from './tsv.ts';

/** report_lines (db/clickhouse/005_report_lines.sql): the breakdowns the rollup keeps, as the report names them. */
const BREAKDOWN_LINES = new Set<string>(['category', 'country', 'month', 'factor_source', 'match_method', 'calculation_method', 'entity']);

interface Line {
  breakdown: string;
  key: string;
  scope: number;
  co2eKgPct: string;
  amount: string;
  activities: string;
}

/**
 * The Scope 2 line's key (entity, region, month, supplier, category, unit) as columns, with the
 * category replaced by its energy carrier, as energyCarrierOf in @tally/core reads it (ASCII, any
 * case), so lines that the allocation would merge anyway arrive merged: exact, as the sums are
 * Decimal sums and kWh is quantity x a per-unit constant.
 */
const SCOPE2_COLUMNS = `part[1] AS entity, part[2] AS region, part[3] AS ym, part[4] AS supplier,
  if(multiSearchAny(lower(part[5]), ['heat', 'steam', 'cool']), 'heat_steam_cooling', 'electricity') AS carrier, part[6] AS unit`;

/**
 * The report aggregates of one run from the report_lines rollup: one small read instead of a scan
 * of every row. Exact: Decimal128 sums of co2e_kg per ownership share, weighted (ownership under
 * equity share, else 100) and summed again in ClickHouse, as the scan does row by row.
 * The run's size comes from its export marker (run_exports), so nothing scans the run's rows.
 * Returns null when the rollup does not hold exactly the run's rows: no completed export at this
 * export version (copied before the marker or the rollup existed), or rows copied twice and not
 * yet replaced. The caller then checks and scans emission_results FINAL.
 */
export async function reportAggregatesFromLines(ch: ClickHouseClient, orgId: string, runId: string, consolidationApproach: string): Promise<ReportAggregates | null> {
  const w = consolidationApproach === 'equity_share' ? 'ownership_pct' : '100';
  const params = { org: orgId, run: runId, breakdowns: [...BREAKDOWN_LINES], version: EXPORT_VERSION };
  // Two reads at once: the report's lines, and the Scope 2 lines apart (a big organisation-year
  // has tens of thousands, read as columns straight into what the allocation takes).
  // Breakdown lines are per scope; quality, gas, status and spend lines are not (as the scans group them).
  const [lineRows, scope2Rows] = await Promise.all([
    tsvRows(
      ch,
      `SELECT breakdown, key, if(breakdown IN ({breakdowns:Array(String)}), scope_key, -1) AS scope, toString(sum(co2e * ${w})) AS co2eKgPct,
              toString(sum(amount)) AS amount, sum(activities) AS activities
       FROM report_lines WHERE org_id = {org:UUID} AND run_id = {run:UUID} AND breakdown != 'scope2' GROUP BY breakdown, key, scope
       UNION ALL
       SELECT 'rows', '', -1, '0', '0', max(rows) FROM run_exports FINAL
       WHERE org_id = {org:UUID} AND run_id = {run:UUID} AND export_version = {version:UInt8}`,
      params,
    ),
    tsvRows(
      ch,
      `SELECT ${SCOPE2_COLUMNS}, toString(${w}) AS weight, toString(sum(co2e)) AS co2eKg, toString(sum(amount)) AS quantity, sum(activities) AS activities
       FROM (SELECT splitByChar('\\0', key) AS part, ownership_pct, co2e, amount, activities
             FROM report_lines WHERE org_id = {org:UUID} AND run_id = {run:UUID} AND breakdown = 'scope2')
       GROUP BY entity, region, ym, supplier, carrier, unit, weight`,
      params,
    ),
  ]);
  const lines = lineRows.map(([breakdown, key, scope, co2eKgPct, amount, activities]): Line => ({ breakdown: breakdown!, key: key!, scope: Number(scope), co2eKgPct: co2eKgPct!, amount: amount!, activities: activities! }));
  const runRows = Number(lines.find((l) => l.breakdown === 'rows')?.activities ?? 0);
  const rolled = lines.filter((l) => l.breakdown === 'status').reduce((n, l) => n + Number(l.activities), 0);
  // A completed export, and every one of its rows once in the rollup.
  if (runRows === 0 || rolled !== runRows) return null;

  const of = (b: string) => lines.filter((l) => l.breakdown === b);
  const scope = (l: Line) => (l.scope === -1 ? null : l.scope);
  return {
    breakdowns: lines
      .filter((l) => BREAKDOWN_LINES.has(l.breakdown))
      .map((l) => ({ breakdown: l.breakdown as BreakdownName, key: l.key, scope: scope(l), co2eKgPct: l.co2eKgPct, activities: Number(l.activities) })),
    gases: of('gas').map((l) => ({ gas: l.key, kgPct: l.co2eKgPct })),
    quality: of('quality').map((l) => {
      const [technological, geographical, temporal] = l.key.split(',').map(Number);
      return { technological: technological!, geographical: geographical!, temporal: temporal!, co2eKgPct: l.co2eKgPct };
    }),
    statuses: of('status').map((l) => {
      const [status, reason] = l.key.split('\0');
      return { status: status!, reason: reason ?? '', activities: Number(l.activities) };
    }),
    spend: of('spend').map((l) => {
      const [currency, calculated] = l.key.split('\0');
      return { currency: currency!, calculated: calculated === '1', amount: l.amount };
    }),
    scope2: scope2Rows.map(([entityCode, region, month, supplier, category, unit, weightPct, locationCo2eKg, quantity, activities]) => ({
      entityCode: entityCode!, weightPct: weightPct!, region: region!, month: month!, supplier: supplier!, category: category!, unit: unit!, quantity: quantity!, locationCo2eKg: locationCo2eKg!, activities: Number(activities),
    })),
  };
}
